/** How {@link Amount.roundTo} breaks a tie: to the even neighbour, or away from zero. */
export type RoundingMode = 'half-even' | 'half-up';

/**
 * Exact decimal money as a scaled integer: `units × 10^-scale`.
 *
 * Balances arrive with up to 18 decimals and above 2^53, where a JS `number` and decimal.js's
 * default 20-digit precision both round silently. A `bigint` keeps every digit and is the
 * fastest exact representation for the check loop.
 */
export class Amount {
  private constructor(
    /** The integer value at `scale`. */
    readonly units: bigint,
    /** Number of decimal places `units` is expressed in (≥ 0). */
    readonly scale: number,
  ) {}

  /** Zero at scale 0, the neutral element of {@link Amount.plus}. */
  static readonly ZERO = new Amount(0n, 0);

  /** Builds an amount from integer units at a scale: `Amount.of(5n, 2)` is `0.05`. */
  static of(units: bigint, scale: number): Amount {
    if (!Number.isInteger(scale) || scale < 0) throw new RangeError(`scale must be a non-negative integer, got ${scale}`);
    return new Amount(units, scale);
  }

  /**
   * Parses a decimal string exactly (`"-12.50"`, `"1e-18"`, `"9007199254740993.1"`).
   * @throws {AmountFormatError} when the text is not a finite decimal number.
   */
  static parse(text: string): Amount {
    const amount = Amount.tryParse(text);
    if (amount === undefined) throw new AmountFormatError(text);
    return amount;
  }

  /**
   * Parses a decimal string exactly, or answers undefined when it is not one: an optional sign,
   * digits with an optional fraction (at least one digit in all), an optional exponent of at most
   * ±1000; surrounding whitespace is ignored. A scanner, not a regular expression: every amount of
   * every upstream page passes here.
   */
  static tryParse(text: string): Amount | undefined {
    const s = text.trim();
    const end = s.length;
    let i = 0;
    const first = s.charCodeAt(0);
    const negative = first === MINUS;
    if (negative || first === PLUS) i++;
    const wholeStart = i;
    while (i < end && isDigit(s.charCodeAt(i))) i++;
    const wholeEnd = i;
    let fractionStart = i;
    if (i < end && s.charCodeAt(i) === DOT) {
      fractionStart = ++i;
      while (i < end && isDigit(s.charCodeAt(i))) i++;
    }
    const fractionEnd = i;
    if (wholeEnd === wholeStart && fractionEnd === fractionStart) return undefined;
    let shift = 0;
    if (i < end && (s.charCodeAt(i) | 0x20) === LOWER_E) {
      const exponentStart = ++i;
      const sign = s.charCodeAt(i);
      if (sign === MINUS || sign === PLUS) i++;
      const digitsStart = i;
      while (i < end && isDigit(s.charCodeAt(i))) i++;
      if (i === digitsStart) return undefined;
      shift = Number(s.slice(exponentStart, i));
      if (!Number.isSafeInteger(shift) || Math.abs(shift) > 1000) return undefined;
    }
    if (i !== end) return undefined;
    let scale = fractionEnd - fractionStart - shift;
    let digits =
      fractionEnd === fractionStart ? s.slice(wholeStart, wholeEnd) : s.slice(wholeStart, wholeEnd) + s.slice(fractionStart, fractionEnd);
    if (scale < 0) {
      digits += '0'.repeat(-scale);
      scale = 0;
    }
    // Up to 15 digits a double holds exactly, and converting it is cheaper than parsing the digits again.
    const units = digits.length === 0 ? 0n : digits.length <= 15 ? BigInt(Number(digits)) : BigInt(digits);
    return new Amount(negative ? -units : units, scale);
  }

  /** Whether `text` is a finite decimal this class can parse. */
  static isDecimal(text: string): boolean {
    return Amount.tryParse(text) !== undefined;
  }

  /** Re-expresses the amount at a larger scale without changing its value. */
  private widen(scale: number): bigint {
    return scale === this.scale ? this.units : this.units * tenTo(scale - this.scale);
  }

  /** Exact sum. */
  plus(other: Amount): Amount {
    const scale = Math.max(this.scale, other.scale);
    return new Amount(this.widen(scale) + other.widen(scale), scale);
  }

  /** Exact difference `this − other`. */
  minus(other: Amount): Amount {
    const scale = Math.max(this.scale, other.scale);
    return new Amount(this.widen(scale) - other.widen(scale), scale);
  }

  /** Exact product (scales add). */
  times(other: Amount): Amount {
    return new Amount(this.units * other.units, this.scale + other.scale);
  }

  /** The additive inverse. */
  negate(): Amount {
    return new Amount(-this.units, this.scale);
  }

  /** The absolute value. */
  abs(): Amount {
    return this.units < 0n ? this.negate() : this;
  }

  /** −1, 0 or 1 as `this` is less than, equal to or greater than `other`. */
  compare(other: Amount): -1 | 0 | 1 {
    const scale = Math.max(this.scale, other.scale);
    const a = this.widen(scale);
    const b = other.widen(scale);
    return a < b ? -1 : a > b ? 1 : 0;
  }

  /** Value equality regardless of scale: `1.50 == 1.5`. */
  equals(other: Amount): boolean {
    return this.compare(other) === 0;
  }

  /** Whether the value is exactly zero. */
  isZero(): boolean {
    return this.units === 0n;
  }

  /** Whether the value is below zero. */
  isNegative(): boolean {
    return this.units < 0n;
  }

  /**
   * Rounds to `scale` decimals: half-to-even by default (banker's rounding, the accounting default),
   * or `half-up` (a tie goes away from zero), the way a source that publishes rounded figures may
   * have rounded them. `Amount.parse('0.125').roundTo(2)` is `0.12`; `roundTo(2, 'half-up')` is `0.13`.
   */
  roundTo(scale: number, mode: RoundingMode = 'half-even'): Amount {
    if (scale >= this.scale) return this;
    const divisor = tenTo(this.scale - scale);
    const negative = this.units < 0n;
    const magnitude = negative ? -this.units : this.units;
    let quotient = magnitude / divisor;
    const twiceRemainder = (magnitude % divisor) * 2n;
    const tieUp = mode === 'half-up' || quotient % 2n === 1n;
    if (twiceRemainder > divisor || (twiceRemainder === divisor && tieUp)) quotient += 1n;
    return new Amount(negative ? -quotient : quotient, scale);
  }

  /** The shortest exact decimal string (no exponent, no trailing zeros): `"79999.098000000000000001"`. */
  toString(): string {
    const negative = this.units < 0n;
    const digits = (negative ? -this.units : this.units).toString();
    if (this.scale === 0) return `${negative ? '-' : ''}${digits}`;
    const padded = digits.padStart(this.scale + 1, '0');
    const point = padded.length - this.scale;
    let end = padded.length;
    while (end > point && padded.charCodeAt(end - 1) === ZERO) end--; // trailing zeros of the fraction
    const body = end === point ? padded.slice(0, point) : `${padded.slice(0, point)}.${padded.slice(point, end)}`;
    return negative && body !== '0' ? `-${body}` : body;
  }

  /** Serialises as the exact decimal string, never as a JSON number. */
  toJSON(): string {
    return this.toString();
  }
}

/** 10^0 … 10^39: the scales money is widened by, computed once (the checks widen millions of times per run). */
const POWERS_OF_TEN = Array.from({ length: 40 }, (_, i) => 10n ** BigInt(i));

function tenTo(exponent: number): bigint {
  return POWERS_OF_TEN[exponent] ?? 10n ** BigInt(exponent);
}

const ZERO = 48;
const PLUS = 43;
const MINUS = 45;
const DOT = 46;
const LOWER_E = 101;

function isDigit(code: number): boolean {
  return code >= 48 && code <= 57;
}

/** Thrown when a text that should carry an amount is not a finite decimal number. */
export class AmountFormatError extends Error {
  override readonly name = 'AmountFormatError';
  constructor(readonly text: string) {
    super(`not a decimal amount: ${JSON.stringify(text.length > 40 ? `${text.slice(0, 40)}…` : text)}`);
  }
}

/** Sums amounts exactly: `sum([a, b, c])`. */
export function sum(amounts: Iterable<Amount>): Amount {
  let total = Amount.ZERO;
  for (const amount of amounts) total = total.plus(amount);
  return total;
}
