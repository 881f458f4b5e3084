/** An exact decimal: `units / 10^scale`. The sandbox never holds money in a JS number. */
export interface Decimal {
  readonly units: bigint;
  readonly scale: number;
}

const POW10: bigint[] = [1n];

/** 10^n as a bigint (cached). */
export function pow10(n: number): bigint {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`pow10 of ${n}`);
  for (let i = POW10.length; i <= n; i++) POW10.push((POW10[i - 1] as bigint) * 10n);
  return POW10[n] as bigint;
}

const DECIMAL_TEXT = /^(-)?(\d+)(?:\.(\d+))?$/;

/** Parses a plain decimal string (`-12.340`, no exponent); undefined when malformed. */
export function tryParseDecimal(text: string): Decimal | undefined {
  const m = DECIMAL_TEXT.exec(text);
  if (!m) return undefined;
  const frac = m[3] ?? '';
  const units = BigInt(`${m[2]}${frac}`);
  return { units: m[1] ? -units : units, scale: frac.length };
}

/** Parses a plain decimal string or throws. */
export function parseDecimal(text: string): Decimal {
  const d = tryParseDecimal(text);
  if (!d) throw new SyntaxError(`not a decimal: ${JSON.stringify(text)}`);
  return d;
}

/** Units of `text` at exactly `scale` decimals; throws when the text has more decimals than that. */
export function parseUnits(text: string, scale: number): bigint {
  return rescaleExact(parseDecimal(text), scale);
}

/** The same value at a scale at least as fine as its own (exact). */
export function rescaleExact(d: Decimal, scale: number): bigint {
  if (scale < d.scale) {
    const factor = pow10(d.scale - scale);
    if (d.units % factor !== 0n) throw new RangeError(`cannot rescale ${formatUnits(d.units, d.scale)} to ${scale} decimals exactly`);
    return d.units / factor;
  }
  return d.units * pow10(scale - d.scale);
}

/** Canonical decimal text of `units / 10^scale`: no trailing zeros, no trailing dot, `0` for zero. */
export function formatUnits(units: bigint, scale: number): string {
  const fixed = formatFixed(units, scale);
  if (scale === 0) return fixed;
  const trimmed = fixed.replace(/0+$/, '').replace(/\.$/, '');
  return trimmed === '-0' ? '0' : trimmed;
}

/** Decimal text of `units / 10^scale` with exactly `scale` decimals (e.g. `0.10000000`). */
export function formatFixed(units: bigint, scale: number): string {
  const negative = units < 0n;
  const digits = (negative ? -units : units).toString();
  if (scale === 0) return `${negative ? '-' : ''}${digits}`;
  const padded = digits.padStart(scale + 1, '0');
  const intPart = padded.slice(0, padded.length - scale);
  const fracPart = padded.slice(padded.length - scale);
  return `${negative ? '-' : ''}${intPart}.${fracPart}`;
}

/** Integer division rounding half away from zero (the "half-up" of money). */
export function divRoundHalfUp(numerator: bigint, denominator: bigint): bigint {
  if (denominator === 0n) throw new RangeError('division by zero');
  const negative = numerator < 0n !== denominator < 0n;
  const n = numerator < 0n ? -numerator : numerator;
  const d = denominator < 0n ? -denominator : denominator;
  const q = (n * 2n + d) / (d * 2n);
  return negative ? -q : q;
}

/** Integer division rounding toward zero (truncation). */
export function divTruncate(numerator: bigint, denominator: bigint): bigint {
  return numerator / denominator;
}

/** Re-expresses `units` at `fromScale` at `toScale`, rounding half-up when coarsening. */
export function rescaleHalfUp(units: bigint, fromScale: number, toScale: number): bigint {
  if (toScale >= fromScale) return units * pow10(toScale - fromScale);
  return divRoundHalfUp(units, pow10(fromScale - toScale));
}

/** Re-expresses `units` at `fromScale` at `toScale`, truncating toward zero when coarsening. */
export function rescaleTruncate(units: bigint, fromScale: number, toScale: number): bigint {
  if (toScale >= fromScale) return units * pow10(toScale - fromScale);
  return units / pow10(fromScale - toScale);
}

/** `a × b` expressed at `targetScale`, rounded half-up. */
export function multiplyHalfUp(a: Decimal, b: Decimal, targetScale: number): bigint {
  return rescaleHalfUp(a.units * b.units, a.scale + b.scale, targetScale);
}

/** Exact comparison of two decimals: -1, 0 or 1. */
export function compareDecimals(a: Decimal, b: Decimal): -1 | 0 | 1 {
  const scale = Math.max(a.scale, b.scale);
  const x = a.units * pow10(scale - a.scale);
  const y = b.units * pow10(scale - b.scale);
  return x < y ? -1 : x > y ? 1 : 0;
}

/** Scale of the value root-asset conversions are rounded to (`*InRAT`, `fundsInRootAsset`). */
export const RAT_SCALE = 8;

/** `units` (at `scale`) converted to the root asset with `rate`, rounded half-up to 8 decimals. */
export function toRootAsset(units: bigint, scale: number, rate: Decimal): bigint {
  return multiplyHalfUp({ units, scale }, rate, RAT_SCALE);
}

/** The smaller of two bigints (Math.min does not take bigints). */
export function minBigint(a: bigint, b: bigint): bigint {
  return a < b ? a : b;
}
