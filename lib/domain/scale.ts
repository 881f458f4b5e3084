import type { Amount } from './money';

/** Display scale (decimal places) per asset id, from Reporting `assetAmountScale`. */
export type AssetScales = ReadonlyMap<string, number>;

/**
 * Whether an exact difference is a real difference at the asset's scale: it is, unless it
 * rounds (half-even) to zero there. Without a known scale every non-zero difference counts.
 *
 * @example
 * exceedsScale(Amount.parse('0.000000000000000001'), 18) // true
 * exceedsScale(Amount.parse('0.004'), 2)                 // false
 */
export function exceedsScale(difference: Amount, scale: number | undefined): boolean {
  if (difference.isZero()) return false;
  return scale === undefined || !difference.roundTo(scale).isZero();
}
