import type { Amount } from '../money';
import type { Precision } from '../precision';
import { mismatch, type Verdict } from '../verdict';

/** A balance as one source splits it: total, locked and available. */
export interface SplitBalance {
  userId: string;
  asset: string;
  amount: Amount;
  locked: Amount;
  available: Amount;
}

/**
 * `amount-split`: a balance's total must equal its locked plus its available part.
 * Expected is `locked + available`, actual is `amount`, judged at the asset's scale.
 *
 * @example
 * amountSplitCheck({ userId, asset: 'eth', amount: 79999.098000000000000001, locked: 1,
 *   available: 79998.098000000000000001 }, precision) // → match
 */
export function amountSplitCheck(balance: SplitBalance, precision: Precision, source = 'reporting'): Verdict {
  const { userId, asset, amount, locked, available } = balance;
  const expected = locked.plus(available);
  const difference = amount.minus(expected);
  if (!precision.differs('amount-split', asset, difference, expected)) return { check: 'amount-split', outcome: 'match', userId, asset };
  return mismatch({ check: 'amount-split', userId, asset }, 'assetAmount', expected, amount, splitEvidence(balance, source));
}

/** A split balance's figures as evidence: `source.amount`, `source.locked`, `source.available`. */
export function splitEvidence({ amount, locked, available }: SplitBalance, source: string): Record<string, string> {
  return {
    [`${source}.amount`]: amount.toString(),
    [`${source}.locked`]: locked.toString(),
    [`${source}.available`]: available.toString(),
  };
}
