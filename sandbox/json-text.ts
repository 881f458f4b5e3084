import { parse } from 'lossless-json';

const NUMBER_LITERAL = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;

/** A JSON number kept as its literal text, so that money is written and read digit-exact. */
export class JsonNumber {
  readonly literal: string;

  constructor(literal: string) {
    if (!NUMBER_LITERAL.test(literal)) throw new SyntaxError(`not a JSON number literal: ${literal}`);
    this.literal = literal;
  }
}

/** A JSON value as the sandbox writes it: numbers are safe integers or exact `JsonNumber` literals. */
export type JsonValue =
  | null
  | boolean
  | string
  | number
  | JsonNumber
  | readonly JsonValue[]
  | { readonly [key: string]: JsonValue | undefined };

/** Characters `JSON.stringify` escapes in a string (quotes, backslash, controls, surrogates, line separators). */
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what a JSON string must escape
const NEEDS_ESCAPE = /["\\\u0000-\u001f\u2028\u2029\ud800-\udfff]/;

/** A JSON string literal (the common case, nothing to escape, without a call into `JSON.stringify`). */
function quote(text: string): string {
  return NEEDS_ESCAPE.test(text) ? JSON.stringify(text) : `"${text}"`;
}

/** Writes JSON text by hand (undefined object members are skipped) so no amount ever passes through a JS number. */
export function writeJson(value: JsonValue): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'boolean':
      return value ? 'true' : 'false';
    case 'string':
      return quote(value);
    case 'number':
      if (!Number.isSafeInteger(value)) throw new TypeError(`refusing to write a non-integer JS number: ${value}`);
      return String(value);
    default:
      break;
  }
  if (value instanceof JsonNumber) return value.literal;
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) out += (i === 0 ? '' : ',') + writeJson(value[i] as JsonValue);
    return `${out}]`;
  }
  const object = value as { readonly [key: string]: JsonValue | undefined };
  let out = '{';
  let first = true;
  for (const key of Object.keys(object)) {
    const member = object[key];
    if (member === undefined) continue;
    out += `${first ? '' : ','}${quote(key)}:${writeJson(member)}`;
    first = false;
  }
  return `${out}}`;
}

/** Parses request JSON keeping every number as a `JsonNumber` literal; throws SyntaxError on malformed text. */
export function parseJsonLossless(text: string): unknown {
  return parse(text, null, (literal: string) => new JsonNumber(literal));
}

/** Reads a string, or the literal of a number, from a parsed request value. */
export function textOf(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (value instanceof JsonNumber) return value.literal;
  return undefined;
}

/** Reads a non-negative safe integer from a parsed request value (number literal or digit string). */
export function integerOf(value: unknown): number | undefined {
  const text = textOf(value);
  if (text === undefined || !/^-?\d+$/.test(text)) return undefined;
  const n = Number(text);
  return Number.isSafeInteger(n) ? n : undefined;
}

/** True for a plain JSON object (not null, not an array, not a number literal). */
export function isJsonObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof JsonNumber);
}
