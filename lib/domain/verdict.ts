import type { CheckId } from './check-id';
import type { Amount } from './money';

/** A check's answer for one user × asset. */
export type Outcome = 'match' | 'mismatch' | 'in-flight' | 'unknown';

/** Which user × asset a verdict is about. */
export interface PositionKey {
  userId: string;
  asset: string;
}

/** The balances match: nothing to record. */
export interface MatchVerdict extends PositionKey {
  check: CheckId;
  outcome: 'match';
}

/**
 * The balances differ beyond the asset's scale. `difference = actual − expected`, exact.
 * `evidence` holds each source's figures as exact decimal strings, named `source.field`.
 */
export interface MismatchVerdict extends PositionKey {
  check: CheckId;
  outcome: 'mismatch';
  field: string;
  expected: Amount;
  actual: Amount;
  difference: Amount;
  evidence: Record<string, string>;
}

/**
 * The balances differ, but the difference is fully explained by activity inside the grace window
 * before the run's as-of (a deposit or trade not yet reflected): not a discrepancy.
 */
export interface InFlightVerdict extends PositionKey {
  check: CheckId;
  outcome: 'in-flight';
  difference: Amount;
  explainedBy: string[];
}

/** The check could not be decided: a source it needs failed, drifted or lacks the position. */
export interface UnknownVerdict extends PositionKey {
  check: CheckId;
  outcome: 'unknown';
  reason: string;
}

/** What one check says about one user × asset. */
export type Verdict = MatchVerdict | MismatchVerdict | InFlightVerdict | UnknownVerdict;

/**
 * A mismatch whose difference is `actual − expected`, the shape every check reports.
 *
 * @example
 * mismatch({ check: 'sanity', userId: 'u1', asset: 'btc' }, 'amount', Amount.ZERO, Amount.parse('-1'), {})
 */
export function mismatch(
  key: PositionKey & { check: CheckId },
  field: string,
  expected: Amount,
  actual: Amount,
  evidence: Record<string, string>,
): MismatchVerdict {
  return { ...key, outcome: 'mismatch', field, expected, actual, difference: actual.minus(expected), evidence };
}
