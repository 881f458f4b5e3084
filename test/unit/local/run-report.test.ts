import { describe, expect, it } from 'vitest';
import { CHECK_IDS } from '../../../lib/domain/check-id';
import type { RunSummary } from '../../../lib/ports/run-summary';
import { emptyTallies } from '../../../lib/runs/run-summary';
import { discrepancyLines, runSummaryLines } from '../../../scripts/local/run-report';

const item = (userId: string) => ({
  id: `d-${userId}`,
  check: 'presence' as const,
  userId,
  asset: 'usd',
  field: 'absent-from-reporting',
  expected: '30160.56',
  actual: '0',
  difference: '-30160.56',
  severity: 'high' as const,
});

function summary(): RunSummary {
  const { sanity, 'amount-split': amountSplit, ...others } = emptyTallies();
  return {
    runId: 'r-1',
    trigger: { type: 'manual', by: 'me' },
    asOf: '2026-01-01T00:00:00Z',
    startedAt: '2026-01-01T00:00:00Z',
    finishedAt: '2026-01-01T00:00:10Z',
    status: 'partial',
    users: 40,
    positions: 111,
    // Stored summaries come back with their keys in any order.
    checks: { sanity, ...others, 'amount-split': { ...amountSplit, match: 108, mismatch: 3 } },
    sources: {
      indx: { status: 'unavailable', failures: 1, firstError: 'INDX answered -2' },
      backoffice: { status: 'ok', failures: 0, drift: [{ endpoint: 'GET /balance', fields: ['extra'] }] },
    },
    discrepancies: { total: 1, opened: 1, items: [item('u-1')], truncated: false },
  };
}

describe('runSummaryLines', () => {
  it('prints checks and sources in the documented order, with drift and delivery counts', () => {
    expect(runSummaryLines(summary(), 1, '9.0s')).toEqual([
      'run r-1: partial, 40 users, 111 positions, 9.0s since start',
      '  amount-split: 108 match, 3 mismatch, 0 in-flight, 0 unknown',
      ...CHECK_IDS.slice(1).map((check) => `  ${check}: 0 match, 0 mismatch, 0 in-flight, 0 unknown`),
      '  source backoffice: ok',
      '    drifted: GET /balance sent extra',
      '  source indx: unavailable (INDX answered -2)',
      '  discrepancies recorded: 1, alerts published: 1, delivered to the local subscriber: 1',
    ]);
  });
});

describe('discrepancyLines', () => {
  it('lists each discrepancy with its figures, up to the limit', () => {
    expect(discrepancyLines([item('u-1'), item('u-2'), item('u-3')], 2)).toEqual([
      '  high presence user u-1 usd absent-from-reporting: expected 30160.56, actual 0, difference -30160.56',
      '  high presence user u-2 usd absent-from-reporting: expected 30160.56, actual 0, difference -30160.56',
      '  … and 1 more (GET /discrepancies lists them all)',
    ]);
  });
});
