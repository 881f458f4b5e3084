import { describe, expect, it } from 'vitest';
import { trendsOf } from '../../../console/src/trends';
import { type RunState, runSummarySchema } from '../../../lib/api/schemas';

function finishedRun(runId: string, finishedAt: string, extra: object = {}): RunState {
  return runSummarySchema.parse({
    runId,
    trigger: { type: 'schedule' },
    asOf: finishedAt,
    startedAt: finishedAt,
    finishedAt,
    status: 'complete',
    users: 60,
    positions: 300,
    checks: {},
    sources: { backoffice: { status: 'ok', failures: 0 }, indx: { status: 'degraded', failures: 2 } },
    discrepancies: { total: 0, opened: 0, items: [], truncated: false },
    breaks: {
      rootAsset: 'usdt',
      bySeverity: { high: { count: 2, value: '1234.000000000000000001', unpriced: 0 } },
      byCheck: { 'cross-source': { count: 2, value: '1234.000000000000000001', unpriced: 0 } },
    },
    ...extra,
  });
}

describe('trendsOf', () => {
  it("draws each finished run's breaks oldest first, per severity and per check, with the exact value kept as text", () => {
    const trends = trendsOf([
      finishedRun('r-2', '2026-12-07T05:00:00Z'),
      finishedRun('r-1', '2026-12-07T04:00:00Z', { breaks: { rootAsset: 'usdt', bySeverity: {}, byCheck: {} } }),
    ]);
    expect(trends.times).toEqual([Date.parse('2026-12-07T04:00:00Z') / 1000, Date.parse('2026-12-07T05:00:00Z') / 1000]);
    const high = trends.openBySeverity.find((line) => line.name === 'high');
    expect(high?.values).toEqual([0, 2]);
    const value = trends.valueBySeverity.find((line) => line.name === 'high');
    expect(value?.texts).toEqual(['0', '1234.000000000000000001']);
    expect(trends.openByCheck.map((line) => line.name)).toEqual(['cross-source']);
    expect(trends.openBySeverity.map((line) => line.name)).toEqual(['low', 'medium', 'high', 'critical']);
  });

  it('charts source health as levels, a source not read as a gap', () => {
    const trends = trendsOf([finishedRun('r-1', '2026-12-07T04:00:00Z')]);
    const health = Object.fromEntries(trends.sourceHealth.map((line) => [line.name, line.values[0]]));
    expect(health).toEqual({ backoffice: 0, reporting: null, multimarkets: null, indx: 1 });
  });

  it('leaves out runs still going, dry runs and runs without break totals', () => {
    const trends = trendsOf([
      { runId: 'r-9', status: 'running' },
      finishedRun('r-3', '2026-12-07T06:00:00Z', { dryRun: true }),
      finishedRun('r-4', '2026-12-07T07:00:00Z', { breaks: undefined }),
    ]);
    expect(trends.times).toEqual([]);
  });
});
