import type { CheckId } from '../../lib/domain/check-id';
import type { Discrepancy } from '../../lib/domain/discrepancy';
import { type DiscrepancyState, observe } from '../../lib/domain/lifecycle';

/** A discrepancy `check:user:asset` as stored after a run opened it, with this severity, status and root-asset difference. */
export function storedDiscrepancy(
  id: string,
  severity: Discrepancy['severity'],
  status: DiscrepancyState['status'],
  differenceInRoot?: string,
): DiscrepancyState {
  const [check, userId, asset] = id.split(':') as [CheckId, string, string];
  const found: Discrepancy = {
    id,
    check,
    userId,
    asset,
    field: 'amount',
    expected: '1',
    actual: '2',
    difference: '1',
    evidence: {},
    severity,
    ...(differenceInRoot && { differenceInRoot }),
    runId: 'r-seed',
    detectedAt: '2026-11-01T00:00:00.000Z',
  };
  const opened = observe(undefined, found);
  if (opened === 'duplicate') throw new Error('a new finding is never a duplicate');
  return { ...opened.next, status };
}
