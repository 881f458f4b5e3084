import { describe, expect, it } from 'vitest';
import { Amount } from '../../../lib/domain/money';
import type { RunMetrics } from '../../../lib/ports/metrics';
import type { RunSummary } from '../../../lib/ports/run-summary';
import { SourceError } from '../../../lib/ports/source-error';
import type { BackOfficePort, ReportingPort } from '../../../lib/ports/upstream';
import { reconcile } from '../../../lib/runs/reconcile';
import { pressurePoints, runEndedPoints } from '../../../lib/runs/run-metrics';
import { InMemoryStore, RecordingAlerts } from '../../fakes/in-memory-ports';
import { fakeListing } from '../../fakes/listing';
import { runDeps } from '../../support/run-deps';

const a = Amount.parse;

/** A fake port that keeps what it was told. */
class RecordingMetrics implements RunMetrics {
  readonly ended: RunSummary[] = [];
  runEnded(summary: RunSummary): void {
    this.ended.push(summary);
  }
  upstreamPressure(): void {}
}

/** One user whose eth amount is not locked + available (an amount-split discrepancy); the back office agrees with Reporting. */
function reporting(overrides: Partial<ReportingPort> = {}): ReportingPort {
  return {
    assets: async () => [{ assetId: 'eth', scale: 18, total: a('3.5') }],
    usersPage: fakeListing([{ userId: 'u1', roles: ['Trader'] }], 1),
    userBalances: async () => [{ asset: 'eth', amount: a('3.5'), locked: a('1'), available: a('2') }],
    openOrders: async () => [],
    transfers: async () => [],
    finishedOrders: async () => [],
    tradesOfOrders: async () => [],
    ...overrides,
  };
}
const backOffice: BackOfficePort = {
  balances: async (userIds) =>
    userIds.map((userId) => ({ userId, found: true as const, balances: new Map([['eth', { amount: a('3.5'), locked: a('1') }]]) })),
  available: async (userId) => ({ userId, found: true as const, available: new Map([['eth', a('2.5')]]) }),
};

function ports(overrides: Partial<ReportingPort> = {}) {
  const store = new InMemoryStore();
  const metrics = new RecordingMetrics();
  let now = Date.parse('2026-11-22T00:00:00Z');
  const deps = {
    reporting: reporting(overrides),
    backOffice,
    store,
    outbox: store,
    alerts: new RecordingAlerts(),
    // Each reading of the clock is 10 s later: the run lasts a measurable time.
    clock: {
      now: () => {
        now += 10_000;
        return new Date(now);
      },
    },
    userBatchSize: 1,
    metrics,
  };
  return { deps, store, metrics };
}

describe('reconcile reports its end to RunMetrics', () => {
  it('reports a run once, with the summary it stored, its opened discrepancies by severity', async () => {
    const { deps, store, metrics } = ports();
    const summary = await reconcile({ runId: 'r1', trigger: { type: 'direct' } }, runDeps(deps));
    expect(metrics.ended).toEqual([summary]);
    expect(store.runs.at(-1)).toEqual(summary);
    expect(summary.discrepancies.opened).toBeGreaterThan(0);
    const bySeverity = Object.values(summary.discrepancies.openedBySeverity ?? {}).reduce((sum, n) => sum + n, 0);
    expect(bySeverity).toBe(summary.discrepancies.opened);
  });

  it('reports a run that failed on a programming error as failed, and a run skipped for the lock as skipped', async () => {
    const broken = ports({ userBalances: () => Promise.reject(new TypeError('boom')) });
    await expect(reconcile({ runId: 'r1', trigger: { type: 'direct' } }, runDeps(broken.deps))).rejects.toThrow(TypeError);
    expect(broken.metrics.ended.map((summary) => summary.status)).toEqual(['failed']);

    const locked = ports();
    await locked.store.acquireLock('someone-else', 60_000, new Date('2026-11-22T00:00:00Z'));
    await reconcile({ runId: 'r2', trigger: { type: 'direct' } }, runDeps(locked.deps));
    expect(locked.metrics.ended.map((summary) => summary.status)).toEqual(['skipped']);
  });

  it('reports nothing for a dry run (it records nothing) nor for a second delivery of a run', async () => {
    const { deps, metrics } = ports();
    await reconcile({ runId: 'r1', trigger: { type: 'direct' }, dryRun: true }, runDeps(deps));
    expect(metrics.ended).toEqual([]);
    await reconcile({ runId: 'r2', trigger: { type: 'direct' } }, runDeps(deps));
    await reconcile({ runId: 'r2', trigger: { type: 'direct' } }, runDeps(deps));
    expect(metrics.ended).toHaveLength(1);
  });

  it('reports a source that could not list the assets as a failed run with that source failing', async () => {
    const { deps, metrics } = ports({ assets: () => Promise.reject(new SourceError('reporting', 'assets', 'network', 'ECONNREFUSED')) });
    await reconcile({ runId: 'r1', trigger: { type: 'direct' } }, runDeps(deps));
    const points = runEndedPoints(metrics.ended[0] as RunSummary);
    expect(points).toContainEqual({ name: 'Runs', unit: 'Count', value: 1, dimensions: { status: 'failed' } });
    expect(points).toContainEqual({ name: 'SourceFailures', unit: 'Count', value: 1, dimensions: { source: 'reporting' } });
  });
});

const summary: RunSummary = {
  runId: 'r1',
  trigger: { type: 'schedule', eventId: 'e1' },
  asOf: '2026-11-22T00:00:00.000Z',
  startedAt: '2026-11-22T00:00:00.000Z',
  finishedAt: '2026-11-22T00:02:30.000Z',
  status: 'partial',
  users: 10,
  positions: 40,
  checks: {} as RunSummary['checks'],
  sources: { reporting: { status: 'ok', failures: 0 }, multimarkets: { status: 'degraded', failures: 3, firstError: 'HTTP 429' } },
  venues: { multimarkets: { accounts: 18, checked: 12, overdue: 6, window: 86_400 } },
  discrepancies: { total: 7, opened: 3, openedBySeverity: { critical: 1, low: 2 }, items: [], truncated: false },
};

describe('runEndedPoints', () => {
  it('gives the status, the duration, the discrepancies found and opened by severity (zeros included), source failures and overdue accounts', () => {
    expect(runEndedPoints(summary)).toEqual([
      { name: 'Runs', unit: 'Count', value: 1, dimensions: { status: 'partial' } },
      { name: 'RunDuration', unit: 'Milliseconds', value: 150_000, dimensions: {} },
      { name: 'DiscrepanciesFound', unit: 'Count', value: 7, dimensions: {} },
      { name: 'DiscrepanciesOpened', unit: 'Count', value: 2, dimensions: { severity: 'low' } },
      { name: 'DiscrepanciesOpened', unit: 'Count', value: 0, dimensions: { severity: 'medium' } },
      { name: 'DiscrepanciesOpened', unit: 'Count', value: 0, dimensions: { severity: 'high' } },
      { name: 'DiscrepanciesOpened', unit: 'Count', value: 1, dimensions: { severity: 'critical' } },
      { name: 'SourceFailures', unit: 'Count', value: 0, dimensions: { source: 'reporting' } },
      { name: 'SourceFailures', unit: 'Count', value: 3, dimensions: { source: 'multimarkets' } },
      { name: 'VenueAccountsOverdue', unit: 'Count', value: 6, dimensions: { venue: 'multimarkets' } },
    ]);
  });

  it('gives only the status of a skipped run: it did nothing to measure', () => {
    expect(runEndedPoints({ ...summary, status: 'skipped' })).toEqual([
      { name: 'Runs', unit: 'Count', value: 1, dimensions: { status: 'skipped' } },
    ]);
  });
});

describe('pressurePoints', () => {
  it('gives each source’s 429s, 418s and retries, and nothing for an invocation that met none', () => {
    expect(
      pressurePoints({
        rateLimited: [
          { source: 'multimarkets', status: 429, count: 2 },
          { source: 'multimarkets', status: 418, count: 1 },
        ],
        retries: [{ source: 'reporting', count: 5 }],
      }),
    ).toEqual([
      { name: 'UpstreamRateLimited', unit: 'Count', value: 2, dimensions: { source: 'multimarkets', status: '429' } },
      { name: 'UpstreamRateLimited', unit: 'Count', value: 1, dimensions: { source: 'multimarkets', status: '418' } },
      { name: 'UpstreamRetries', unit: 'Count', value: 5, dimensions: { source: 'reporting' } },
    ]);
    expect(pressurePoints({ rateLimited: [], retries: [] })).toEqual([]);
  });
});
