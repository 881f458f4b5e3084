/**
 * Value-level changes of an upstream's JSON answer, for the drift faults. They work on lossless-parsed JSON
 * (`parseJsonLossless`: every number a `JsonNumber` literal), so `writeJson` writes every number back digit for digit.
 * Each returns a new value (the input is left alone) and whether anything changed.
 */
import { integerOf, isJsonObject, JsonNumber, type JsonValue, parseJsonLossless, writeJson } from './json-text';

/** A transformed value and whether the transformation found anything to change. */
export interface Transformed {
  value: unknown;
  changed: boolean;
}

/** Renames every occurrence of the object key `field` (at any depth) to `renameTo`, keeping member order. */
export function renameKey(value: unknown, field: string, renameTo: string): Transformed {
  let changed = false;
  const walk = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(walk);
    if (!isJsonObject(v)) return v;
    const out: Record<string, unknown> = {};
    for (const [key, member] of Object.entries(v)) {
      if (key === field) changed = true;
      // defineProperty: a key named __proto__ stays an own member
      Object.defineProperty(out, key === field ? renameTo : key, {
        value: walk(member),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    return out;
  };
  const result = walk(value);
  return { value: result, changed };
}

/**
 * Adds `field: extra` to the answer's record objects that lack it: the objects of a top-level array (back-office GET),
 * else of the `data` array (paged answers), else the `data` object (MultiMarkets), else the `value` object (INDX).
 */
export function addExtraField(value: unknown, field: string, extra: JsonValue): Transformed {
  let changed = false;
  const add = (v: unknown): unknown => {
    if (!isJsonObject(v) || Object.hasOwn(v, field)) return v;
    changed = true;
    return { ...v, [field]: extra };
  };
  if (Array.isArray(value)) {
    const out = value.map(add);
    return { value: out, changed };
  }
  if (!isJsonObject(value)) return { value, changed };
  let out: Record<string, unknown> = value;
  if (Array.isArray(value.data)) out = { ...value, data: value.data.map(add) };
  else if (isJsonObject(value.data)) out = { ...value, data: add(value.data) };
  else if (isJsonObject(value.value)) out = { ...value, value: add(value.value) };
  return { value: out, changed };
}

/** The page number of a paged answer (`paging: {page, total, …}` and a `data` array), or undefined. */
export function pageOf(value: unknown): number | undefined {
  if (!isJsonObject(value) || !Array.isArray(value.data) || !isJsonObject(value.paging)) return undefined;
  if (integerOf(value.paging.total) === undefined) return undefined;
  return integerOf(value.paging.page);
}

/** Adds `delta` to `paging.total` of a paged answer (exactly, as a bigint). */
export function driftTotal(value: unknown, delta: number): Transformed {
  if (pageOf(value) === undefined || !isJsonObject(value) || !isJsonObject(value.paging)) return { value, changed: false };
  const total = value.paging.total;
  const literal = total instanceof JsonNumber ? total.literal : String(total);
  const drifted = new JsonNumber((BigInt(literal) + BigInt(delta)).toString());
  return { value: { ...value, paging: { ...value.paging, total: drifted } }, changed: true };
}

/** A paged answer with `data` replaced by `rows` (the paging block untouched). */
export function withRows(value: unknown, rows: unknown): unknown {
  return isJsonObject(value) ? { ...value, data: rows } : value;
}

/** The rows (`data`) of a paged answer's JSON text, or undefined when it is not a paged answer. */
export function rowsOfPagedText(text: string): unknown[] | undefined {
  let parsed: unknown;
  try {
    parsed = parseJsonLossless(text);
  } catch {
    return undefined;
  }
  return pageOf(parsed) !== undefined && isJsonObject(parsed) && Array.isArray(parsed.data) ? parsed.data : undefined;
}

/** A request body asking for `page` instead (its `paging.page` rewritten, everything else kept), or undefined. */
export function requestForPage(body: string, page: number): string | undefined {
  let parsed: unknown;
  try {
    parsed = parseJsonLossless(body);
  } catch {
    return undefined;
  }
  if (!isJsonObject(parsed) || !isJsonObject(parsed.paging)) return undefined;
  return writeJson({ ...parsed, paging: { ...parsed.paging, page } } as JsonValue);
}

/** The first half of an answer body (by characters, never splitting a surrogate pair; at least one character cut). */
export function truncateBody(body: string): string {
  let cut = Math.floor(body.length / 2);
  if (cut > 0 && /[\uD800-\uDBFF]/.test(body.charAt(cut - 1))) cut--;
  return body.slice(0, cut);
}
