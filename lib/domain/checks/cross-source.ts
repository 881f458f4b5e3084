import type { Amount } from '../money';
import type { Precision } from '../precision';
import type { Verdict } from '../verdict';

/** Total and locked amount of one user × asset as one source reports it. */
export interface TotalAndLocked {
  amount: Amount;
  locked: Amount;
}

/** The same user × asset as the back office and Reporting see it; a side is absent when that source lacks the position. */
export interface CrossSourcePair {
  userId: string;
  asset: string;
  backOffice: TotalAndLocked | undefined;
  reporting: TotalAndLocked | undefined;
}

const FIELDS = ['amount', 'locked'] as const;

/**
 * `cross-source`: the back office and Reporting must agree on a position's `amount` and
 * `locked`. Expected is the Reporting figure, actual the back-office one; the first field that
 * differs beyond the asset's scale is the discrepancy, and the evidence carries both fields of
 * both sources. A position one source lacks is `unknown` here (presence is its own check).
 *
 * @example
 * crossSourceCheck({ userId, asset: 'btc', backOffice: { amount: 2, locked: 0 },
 *   reporting: { amount: 1.5, locked: 0 } }, precision) // → mismatch, difference 0.5
 */
export function crossSourceCheck(pair: CrossSourcePair, precision: Precision): Verdict {
  const { userId, asset, backOffice, reporting } = pair;
  if (!backOffice || !reporting) {
    const missing = backOffice ? 'reporting' : 'backoffice';
    return { check: 'cross-source', outcome: 'unknown', userId, asset, reason: `position absent from ${missing}` };
  }
  for (const field of FIELDS) {
    const difference = backOffice[field].minus(reporting[field]);
    if (!precision.differs('cross-source', asset, difference, reporting[field])) continue;
    return {
      check: 'cross-source',
      outcome: 'mismatch',
      userId,
      asset,
      field,
      expected: reporting[field],
      actual: backOffice[field],
      difference,
      evidence: {
        'backoffice.amount': backOffice.amount.toString(),
        'backoffice.locked': backOffice.locked.toString(),
        'reporting.assetAmount': reporting.amount.toString(),
        'reporting.lockedAssetAmount': reporting.locked.toString(),
      },
    };
  }
  return { check: 'cross-source', outcome: 'match', userId, asset };
}
