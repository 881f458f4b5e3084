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

/** Writes JSON text by hand (undefined object members are skipped) so no amount ever passes through a JS number. */
export function writeJson(value: JsonValue): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'boolean':
      return value ? 'true' : 'false';
    case 'string':
      return JSON.stringify(value);
    case 'number':
      if (!Number.isSafeInteger(value)) throw new TypeError(`refusing to write a non-integer JS number: ${value}`);
      return String(value);
    default:
      break;
  }
  if (value instanceof JsonNumber) return value.literal;
  if (Array.isArray(value)) return `[${(value as readonly JsonValue[]).map(writeJson).join(',')}]`;
  const parts: string[] = [];
  for (const [key, member] of Object.entries(value as { readonly [key: string]: JsonValue | undefined })) {
    if (member === undefined) continue;
    parts.push(`${JSON.stringify(key)}:${writeJson(member)}`);
  }
  return `{${parts.join(',')}}`;
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
