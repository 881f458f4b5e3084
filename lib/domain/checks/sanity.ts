import { Amount } from '../money';
import { mismatch, type Verdict } from '../verdict';
import { type SplitBalance, splitEvidence } from './amount-split';

/**
 * `sanity`: no amount, locked or available part is negative, and locked is not greater than the
 * amount. The first rule broken is the discrepancy (amount, locked, available, then locked > amount).
 *
 * @example
 * sanityCheck({ amount: 10, locked: 12, available: -2 }) // → mismatch on available, actual -2
 */
export function sanityCheck(balance: SplitBalance, source = 'reporting'): Verdict {
  const { userId, asset, amount, locked, available } = balance;
  // The evidence is built only for a mismatch: most positions pass, and this runs for every one.
  const broken = (field: string, expected: Amount, actual: Amount): Verdict =>
    mismatch({ check: 'sanity', userId, asset }, field, expected, actual, splitEvidence(balance, source));
  if (amount.isNegative()) return broken('amount', Amount.ZERO, amount);
  if (locked.isNegative()) return broken('locked', Amount.ZERO, locked);
  if (available.isNegative()) return broken('available', Amount.ZERO, available);
  if (locked.compare(amount) > 0) return broken('locked', amount, locked);
  return { check: 'sanity', outcome: 'match', userId, asset };
}
