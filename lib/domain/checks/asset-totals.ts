import type { Amount } from '../money';
import type { Precision } from '../precision';
import type { Verdict } from '../verdict';

/** The roles whose balances the Reporting totals count (the document's note on `assets-and-balances`). */
export const COUNTED_ROLES: ReadonlySet<string> = new Set(['Trader', 'User', 'Market Maker']);

/** Whether a user's balances are in the Reporting totals. */
export function isCounted(roles: readonly string[]): boolean {
  return roles.some((role) => COUNTED_ROLES.has(role));
}

/** Σ amount of an asset over some users, and how many users. */
export interface AssetSum {
  total: Amount;
  users: number;
}

/**
 * `asset-totals` (per asset, user `*`): Reporting `assets-and-balances` `assetAmount` equals Σ over
 * users with roles Trader, User or Market Maker of their `assetAmount` — the document: "The balances
 * are calculated only for users with the following roles: Trader, User and Market Maker". Expected
 * is the sum, actual the reported total. The holdings of the other users (`outside`) are no part of
 * the rule; a mismatch carries them in its evidence, as a difference equal to them points at a role.
 *
 * @example
 * // two traders with 1.5 and 2 btc and a bot with 7: the btc total must be 3.5
 */
export function assetTotalsCheck(asset: string, reported: Amount, summed: AssetSum, outside: AssetSum, precision: Precision): Verdict {
  const difference = reported.minus(summed.total);
  if (!precision.differs('asset-totals', asset, difference, summed.total))
    return { check: 'asset-totals', outcome: 'match', userId: '*', asset };
  return {
    check: 'asset-totals',
    outcome: 'mismatch',
    userId: '*',
    asset,
    field: 'assetAmount',
    expected: summed.total,
    actual: reported,
    difference,
    evidence: {
      'reporting.assetsAndBalances.assetAmount': reported.toString(),
      'reporting.usersBalances.sum': summed.total.toString(),
      'reporting.usersCounted': String(summed.users),
      'reporting.outsideTotals.sum': outside.total.toString(),
      'reporting.outsideTotals.users': String(outside.users),
    },
  };
}
