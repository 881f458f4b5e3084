import type { Discrepancy } from '../../lib/domain/discrepancy';

/** A cross-source discrepancy as a run opens it, for the publisher's tests (its message is asserted word for word there). */
export const crossSourceDiscrepancy: Discrepancy = {
  id: 'cross-source:u2:btc',
  check: 'cross-source',
  userId: 'u2',
  asset: 'btc',
  field: 'amount',
  expected: '0.5',
  actual: '0.50000001',
  difference: '0.00000001',
  evidence: { 'backoffice.amount': '0.50000001', 'reporting.assetAmount': '0.5' },
  severity: 'low',
  differenceInRoot: '0.0003',
  runId: 'r1',
  detectedAt: '2026-11-22T00:00:00.000Z',
};
