import { type DiscrepancyAnswer, discrepancyStateSchema } from '../../../lib/api/schemas';

/** A discrepancy as `GET /discrepancies` answers it, parsed by the contract's schema, with the fields a test sets. */
export function sampleDiscrepancyAnswer(overrides: Partial<DiscrepancyAnswer> = {}): DiscrepancyAnswer {
  return discrepancyStateSchema.parse({
    id: 'cross-source:u1:btc',
    check: 'cross-source',
    userId: 'u1',
    asset: 'btc',
    field: 'balance',
    expected: '1.5',
    actual: '1.4',
    difference: '-0.1',
    severity: 'high',
    evidence: { backoffice: '1.5', reporting: '1.4' },
    runId: 'r-1',
    detectedAt: '2026-12-07T04:00:00Z',
    status: 'open',
    firstSeenAt: '2026-12-07T04:00:00Z',
    lastSeenAt: '2026-12-07T05:00:00Z',
    firstRunId: 'r-1',
    lastRunId: 'r-2',
    runsSeen: 2,
    consecutiveRuns: 2,
    largestDifference: '-0.1',
    alerted: false,
    version: 3,
    ...overrides,
  });
}
