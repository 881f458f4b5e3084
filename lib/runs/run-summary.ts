import { CHECK_IDS, type CheckId } from '../domain/check-id';
import type { Discrepancy } from '../domain/discrepancy';
import type { CheckTally, DiscrepancyRef } from '../ports/run-summary';

/** How a run summary lists `discrepancy`: its key and figures, without the evidence. */
export function discrepancyRef({ id, check, userId, asset, field, expected, actual, difference, severity }: Discrepancy): DiscrepancyRef {
  return { id, check, userId, asset, field, expected, actual, difference, severity };
}

/** A tally with every check at zero. */
export function emptyTallies(): Record<CheckId, CheckTally> {
  return Object.fromEntries(CHECK_IDS.map((id) => [id, { match: 0, mismatch: 0, 'in-flight': 0, unknown: 0 }])) as Record<
    CheckId,
    CheckTally
  >;
}
