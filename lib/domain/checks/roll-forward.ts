import { FLOW_KINDS, type PositionHistory } from '../ledger';
import { Amount } from '../money';
import type { Precision } from '../precision';
import type { Verdict } from '../verdict';

/**
 * `roll-forward`: a balance equals what its history implies — Σ Completed deposits − Σ Completed
 * withdrawals + Σ trade flows − Σ commissions, over the rows up to the run's as-of. Expected is the
 * history's total, actual the Reporting `assetAmount`. A difference the rows inside the grace window
 * fully explain (the balance equals the total without them) is `in-flight`, not a mismatch. The
 * evidence counts and sums each kind of row, with the ids of the latest ones.
 *
 * @example
 * // deposits 10, a withdrawal of 3, balance 7 → match; balance 8 → mismatch, difference 1
 */
export function rollForwardCheck(
  position: { userId: string; asset: string; balance: Amount },
  history: PositionHistory | undefined,
  precision: Precision,
): Verdict {
  const { userId, asset, balance } = position;
  const expected = history?.total ?? Amount.ZERO;
  const difference = balance.minus(expected);
  if (!precision.differs('roll-forward', asset, difference, expected)) return { check: 'roll-forward', outcome: 'match', userId, asset };
  if (history && history.recentIds.length > 0) {
    const settled = expected.minus(history.recent);
    if (!precision.differs('roll-forward', asset, balance.minus(settled), settled)) {
      return { check: 'roll-forward', outcome: 'in-flight', userId, asset, difference, explainedBy: [...history.recentIds] };
    }
  }
  const evidence: Record<string, string> = { 'reporting.assetAmount': balance.toString(), 'history.total': expected.toString() };
  for (const kind of FLOW_KINDS) {
    const totals = history?.kinds[kind];
    evidence[`history.${kind}.count`] = String(totals?.count ?? 0);
    evidence[`history.${kind}.sum`] = (totals?.sum ?? Amount.ZERO).toString();
    if (totals && totals.latest.length > 0) evidence[`history.${kind}.latest`] = totals.latest.map((row) => row.id).join(', ');
  }
  return {
    check: 'roll-forward',
    outcome: 'mismatch',
    userId,
    asset,
    field: 'assetAmount',
    expected,
    actual: balance,
    difference,
    evidence,
  };
}
