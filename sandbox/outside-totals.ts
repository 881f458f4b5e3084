import { assetById, REPORTING_BALANCE_ROLES } from './assets';
import type { Book, OutsideTotals } from './book-types';
import { formatUnits } from './decimal';

const COUNTED = new Set<string>(REPORTING_BALANCE_ROLES);

/**
 * Per asset, the non-zero Reporting holdings of users with none of the roles Trader, User and Market Maker (Bots,
 * Admins): the reporting document's totals leave them out, so a run's summary shows them as information. The truth a
 * test compares that information with.
 */
export function outsideTotalsOf(book: Book): OutsideTotals {
  const sums = new Map<string, { users: number; units: bigint }>();
  for (const user of book.users) {
    if (user.roles.some((role) => COUNTED.has(role))) continue;
    for (const p of book.index.positionsByUser.get(user.userId) ?? []) {
      if (!p.inReporting || p.reporting.assetAmount === 0n) continue;
      const sum = sums.get(p.asset) ?? { users: 0, units: 0n };
      sums.set(p.asset, { users: sum.users + 1, units: sum.units + p.reporting.assetAmount });
    }
  }
  return Object.fromEntries(
    [...sums]
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([asset, sum]) => [asset, { users: sum.users, amount: formatUnits(sum.units, assetById(asset).scale) }]),
  );
}
