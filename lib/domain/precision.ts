import type { CheckId } from './check-id';
import { Amount } from './money';
import { type AssetScales, exceedsScale } from './scale';

/** A wider tolerance than the asset's scale: absolute, relative to the expected value, or both (the larger wins). */
export interface Tolerance {
  absolute?: Amount;
  relative?: Amount;
}

/** Tolerances by check and asset; `*` stands for any check or any asset. The most specific entry applies. */
export type ToleranceTable = ReadonlyMap<string, Tolerance>;

/**
 * How precisely each check judges each asset: by default at the asset's scale (a difference counts
 * unless it rounds to zero there); wider where configured per check or asset (`TOLERANCES`).
 *
 * @example
 * new Precision(new Map([['btc', 8]])).differs('cross-source', 'btc', Amount.parse('0.00000001'), Amount.parse('1')) // true
 */
export class Precision {
  constructor(
    readonly scales: AssetScales,
    private readonly tolerances: ToleranceTable = new Map(),
  ) {}

  /** The asset's display scale, when Reporting gave one. */
  scale(asset: string): number | undefined {
    return this.scales.get(asset);
  }

  /** The tolerance configured for a check on an asset, most specific first. */
  tolerance(check: CheckId, asset: string): Tolerance | undefined {
    return (
      this.tolerances.get(`${check}|${asset}`) ??
      this.tolerances.get(`${check}|*`) ??
      this.tolerances.get(`*|${asset}`) ??
      this.tolerances.get('*|*')
    );
  }

  /** Whether `difference` (against `expected`) is a real difference for `check` on `asset`. */
  differs(check: CheckId, asset: string, difference: Amount, expected: Amount): boolean {
    if (!exceedsScale(difference, this.scale(asset))) return false;
    const tolerance = this.tolerance(check, asset);
    if (!tolerance) return true;
    const relative = tolerance.relative ? tolerance.relative.times(expected.abs()) : Amount.ZERO;
    const absolute = tolerance.absolute ?? Amount.ZERO;
    const allowed = relative.compare(absolute) > 0 ? relative : absolute;
    return difference.abs().compare(allowed) > 0;
  }
}
