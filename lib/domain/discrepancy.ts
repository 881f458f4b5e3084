import type { CheckId } from './check-id';
import type { Amount } from './money';
import type { Severity } from './severity';
import type { MismatchVerdict } from './verdict';

/**
 * A recorded difference: what was expected, what was found, by how much, and the evidence, all
 * as exact decimal strings so they survive storage and JSON unchanged.
 */
export interface Discrepancy {
  /** Stable across runs: the same user × asset × check is the same discrepancy. */
  id: string;
  check: CheckId;
  userId: string;
  asset: string;
  field: string;
  expected: string;
  actual: string;
  difference: string;
  evidence: Record<string, string>;
  /** |difference| in the root asset, when the asset has a rate (8 decimals). */
  differenceInRoot?: string;
  severity: Severity;
  runId: string;
  detectedAt: string;
}

/**
 * The stable id of a user × asset × check: `discrepancyId('cross-source', 'u1', 'btc')` is
 * `cross-source:u1:btc`. Readable on purpose: an analyst can tell what it is from the id alone.
 */
export function discrepancyId(check: CheckId, userId: string, asset: string): string {
  return `${check}:${userId}:${asset}`;
}

/** Turns a mismatch verdict of run `runId` into the discrepancy to record, valued in the root asset. */
export function toDiscrepancy(
  verdict: MismatchVerdict,
  runId: string,
  detectedAt: Date,
  valuation: { differenceInRoot: Amount | undefined; severity: Severity } = { differenceInRoot: undefined, severity: 'medium' },
): Discrepancy {
  return {
    id: discrepancyId(verdict.check, verdict.userId, verdict.asset),
    check: verdict.check,
    userId: verdict.userId,
    asset: verdict.asset,
    field: verdict.field,
    expected: verdict.expected.toString(),
    actual: verdict.actual.toString(),
    difference: verdict.difference.toString(),
    evidence: verdict.evidence,
    ...(valuation.differenceInRoot ? { differenceInRoot: valuation.differenceInRoot.abs().roundTo(8).toString() } : {}),
    severity: valuation.severity,
    runId,
    detectedAt: detectedAt.toISOString(),
  };
}
