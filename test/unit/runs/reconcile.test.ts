import { describe, expect, it } from 'vitest';
import { Amount } from '../../../lib/domain/money';
import type { RunWork } from '../../../lib/ports/run';
import type { RunSummary } from '../../../lib/ports/run-summary';
import { SourceError } from '../../../lib/ports/source-error';
import type { BackOfficePort, ReportingBalance, ReportingPort } from '../../../lib/ports/upstream';
import type { VenuePorts } from '../../../lib/ports/venues';
import { reconcile, reconcileShard } from '../../../lib/runs/reconcile';
import { InMemoryRunState } from '../../../lib/runs/run-state-memory';
import { InMemoryStore, InMemoryVenueCheckLog, RecordingAlerts } from '../../fakes/in-memory-ports';
import { fakeListing } from '../../fakes/listing';
import { runDeps } from '../../support/run-deps';

const a = Amount.parse;
const balance = (asset: string, amount: string, locked: string, available: string): ReportingBalance => ({
  asset,
  amount: a(amount),
  locked: a(locked),
  available: a(available),
});

/** A two-user book: u1's eth split is off by 1e-18; u2's btc total differs in the back office. */
const reportingBook: Record<string, ReportingBalance[]> = {
  u1: [balance('eth', '3.000000000000000001', '1', '2'), balance('btc', '1', '0', '1')],
  u2: [balance('btc', '0.5', '0.1', '0.4')],
};
const backOfficeBook: Record<string, Record<string, [string, string]>> = {
  u1: { eth: ['3.000000000000000001', '1'], btc: ['1', '0'] },
  u2: { btc: ['0.50000001', '0.1'] },
};

/** History consistent with the balances: deposits, one trade, pending withdrawals and an open order explain every figure. */
const deposit = (
  id: string,
  userId: string,
  assetId: string,
  amount: string,
  status = 'Completed',
  type: 'Deposit' | 'Withdrawal' = 'Deposit',
) => ({
  id,
  userId,
  assetId,
  type,
  status,
  assetAmount: a(amount),
  createdAt: '2026-11-01T00:00:00Z',
});
const transfers = [
  deposit('t1', 'u1', 'eth', '3.000000000000000001'),
  deposit('t2', 'u1', 'btc', '1.1'),
  deposit('t3', 'u2', 'btc', '0.5'),
  deposit('t4', 'u2', 'btc', '0.1', 'Pending', 'Withdrawal'),
];
/** u1 sold 0.1 btc on btc_usdt; a usdt fee equal to the proceeds leaves no usdt position to check. */
const trades = [
  {
    orderId: 'o1',
    executionId: 'e1',
    userId: 'u1',
    marketId: 'btc_usdt',
    side: 'Sell' as const,
    baseAmount: a('0.1'),
    quoteAmount: a('3000'),
    executedAt: '2026-11-02T00:00:00Z',
    commissionAmount: a('3000'),
    commissionAssetId: 'usdt',
  },
];
const openOrders: Record<
  string,
  { orderId: string; marketId: string; side: 'Buy' | 'Sell'; remainingAmount: Amount; limitPrice: Amount }[]
> = {
  u1: [{ orderId: 'oo1', marketId: 'eth_usdt', side: 'Sell', remainingAmount: a('1'), limitPrice: a('2000') }],
};

function reportingAdapter(failUser?: string): ReportingPort {
  return {
    assets: async () => [
      { assetId: 'eth', scale: 18, total: a('3.000000000000000001') },
      { assetId: 'btc', scale: 8, total: a('1.5') },
      { assetId: 'usdt', scale: 6, total: a('0') },
    ],
    usersPage: fakeListing(Object.keys(reportingBook).map((userId) => ({ userId, roles: ['Trader'] }))),
    userBalances: async (userId) => {
      if (userId === failUser) throw new SourceError('reporting', 'users/balances', 'timeout', 'headers timeout', { retryable: true });
      return reportingBook[userId] ?? [];
    },
    openOrders: async (userId) => openOrders[userId] ?? [],
    transfers: async (userIds, created) =>
      transfers.filter((row) => userIds.includes(row.userId) && (!created?.from || row.createdAt >= created.from)),
    finishedOrders: async (userIds) => {
      const mine = trades.filter((row) => userIds.includes(row.userId));
      return [...new Map(mine.map((row) => [row.orderId, { orderId: row.orderId, userId: row.userId }])).values()];
    },
    tradesOfOrders: async (orderIds) => trades.filter((row) => orderIds.includes(row.orderId)),
  };
}

function backOfficeAdapter(fail = false): BackOfficePort {
  return {
    balances: async (userIds) => {
      if (fail) throw new SourceError('backoffice', 'balances', 'http-status', 'HTTP 503', { status: 503, retryable: true });
      return userIds.map((userId) => {
        const entry = backOfficeBook[userId];
        if (!entry) return { userId, found: false as const, message: `User with id:${userId} not found.` };
        const balances = new Map(
          Object.entries(entry).map(([asset, [amount, locked]]) => [asset, { amount: a(amount), locked: a(locked) }]),
        );
        return { userId, found: true as const, balances };
      });
    },
    available: async (userId) => {
      if (fail) throw new SourceError('backoffice', 'user/balance', 'http-status', 'HTTP 503', { status: 503, retryable: true });
      const entry = backOfficeBook[userId];
      if (!entry) return { userId, found: false as const, message: 'GET user/balance answered HTTP 404' };
      const available = new Map(Object.entries(entry).map(([asset, [amount, locked]]) => [asset, a(amount).minus(a(locked))]));
      return { userId, found: true as const, available };
    },
  };
}

function deps(overrides: { reporting?: ReportingPort; backOffice?: BackOfficePort } = {}) {
  const store = new InMemoryStore();
  const alerts = new RecordingAlerts();
  return {
    store,
    alerts,
    deps: {
      reporting: overrides.reporting ?? reportingAdapter(),
      backOffice: overrides.backOffice ?? backOfficeAdapter(),
      store,
      outbox: store,
      alerts,
      clock: { now: () => new Date('2026-11-22T00:00:00Z') },
      userBatchSize: 1,
    },
  };
}

describe('reconcile', () => {
  it('records and alerts each discrepancy of the book once, with exact figures', async () => {
    const { deps: ports, store, alerts } = deps();
    const summary = await reconcile({ runId: 'r1', trigger: { type: 'direct' } }, runDeps(ports));
    expect(summary.status).toBe('complete');
    expect([...store.discrepancies.keys()].sort()).toEqual(['amount-split:u1:eth', 'cross-source:u2:btc']);
    expect(alerts.opened.map((d) => d.id).sort()).toEqual(['amount-split:u1:eth', 'cross-source:u2:btc']);
    expect(store.discrepancies.get('amount-split:u1:eth')?.difference).toBe('0.000000000000000001');
    expect(store.discrepancies.get('cross-source:u2:btc')).toMatchObject({ expected: '0.5', actual: '0.50000001', field: 'amount' });
    expect(summary.checks['amount-split']).toEqual({ match: 2, mismatch: 1, 'in-flight': 0, unknown: 0 });
    expect(summary.checks['cross-source']).toEqual({ match: 2, mismatch: 1, 'in-flight': 0, unknown: 0 });
    expect(summary.positions).toBe(3);
    expect(summary.checks['roll-forward']).toEqual({ match: 3, mismatch: 0, 'in-flight': 0, unknown: 0 });
    expect(summary.checks['locked-orders']).toEqual({ match: 3, mismatch: 0, 'in-flight': 0, unknown: 0 });
    expect(summary.checks['asset-totals']).toEqual({ match: 3, mismatch: 0, 'in-flight': 0, unknown: 0 });
    expect(summary.checks.sanity.match).toBe(3);
    expect(summary.checks.presence.match).toBe(2);
    // The book states no root-asset figure: neither the 3 positions' rule nor the 2 users' totals could run, and none is a match.
    expect(summary.checks['root-asset']).toMatchObject({ match: 0, mismatch: 0, unknown: 5 });
    expect(store.runs).toHaveLength(1);
    expect(alerts.sourceProblems).toEqual([]);
  });

  it('resolves a discrepancy of the final phase (asset totals) once a later run finds it matching', async () => {
    let btcTotal = '1.6';
    const base = reportingAdapter();
    const reporting: ReportingPort = {
      ...base,
      assets: async () => (await base.assets()).map((asset) => (asset.assetId === 'btc' ? { ...asset, total: a(btcTotal) } : asset)),
    };
    const { deps: ports, store, alerts } = deps({ reporting });
    await reconcile({ runId: 'r1', trigger: { type: 'direct' } }, runDeps(ports));
    expect(store.discrepancies.get('asset-totals:*:btc')).toMatchObject({ status: 'open' });
    btcTotal = '1.5';
    const second = await reconcile({ runId: 'r2', trigger: { type: 'schedule' } }, runDeps(ports));
    expect(store.discrepancies.get('asset-totals:*:btc')).toMatchObject({ status: 'resolved', resolvedBy: 'system' });
    expect(alerts.resolved.map((state) => state.id)).toEqual(['asset-totals:*:btc']);
    expect(second.discrepancies).toMatchObject({ resolved: 1 });
  });

  it('alerts nothing for a discrepancy already recorded by an earlier run', async () => {
    const { deps: ports, alerts } = deps();
    await reconcile({ runId: 'r1', trigger: { type: 'direct' } }, runDeps(ports));
    const second = await reconcile({ runId: 'r2', trigger: { type: 'schedule' } }, runDeps(ports));
    expect(alerts.opened).toHaveLength(2);
    expect(second.discrepancies).toMatchObject({ total: 2, opened: 0 });
  });

  it('makes cross-source unknown, not a discrepancy, when the back office fails, and says so', async () => {
    const { deps: ports, store, alerts } = deps({ backOffice: backOfficeAdapter(true) });
    const summary = await reconcile({ runId: 'r1', trigger: { type: 'direct' } }, runDeps(ports));
    expect(summary.status).toBe('partial');
    expect([...store.discrepancies.keys()]).toEqual(['amount-split:u1:eth']);
    expect(summary.checks['cross-source']).toEqual({ match: 0, mismatch: 0, 'in-flight': 0, unknown: 2 });
    // Reporting's own split off is still found; the splits the back office would also have to hold are unknown, not matched.
    expect(summary.checks['amount-split']).toEqual({ match: 0, mismatch: 1, 'in-flight': 0, unknown: 2 });
    // Per page of one user: POST /balances, and GET …/balance/ for the user.
    expect(summary.sources.backoffice).toMatchObject({ status: 'degraded', failures: 4 });
    expect(alerts.sourceProblems).toEqual([expect.objectContaining({ source: 'backoffice', failures: 4 })]);
  });

  it('makes one user unknown when Reporting fails for that user only', async () => {
    const { deps: ports, store } = deps({ reporting: reportingAdapter('u2') });
    const summary = await reconcile({ runId: 'r1', trigger: { type: 'direct' } }, runDeps(ports));
    expect(summary.status).toBe('partial');
    expect([...store.discrepancies.keys()]).toEqual(['amount-split:u1:eth']);
    expect(summary.checks['amount-split'].unknown).toBe(1);
  });

  it('fails the run, recording nothing, when the asset list cannot be read', async () => {
    const reporting = {
      ...reportingAdapter(),
      assets: () => Promise.reject(new SourceError('reporting', 'assets-and-balances', 'network', 'ECONNREFUSED')),
    };
    const { deps: ports, store, alerts } = deps({ reporting });
    const summary = await reconcile({ runId: 'r1', trigger: { type: 'direct' } }, runDeps(ports));
    expect(summary.status).toBe('failed');
    expect(summary.sources.reporting).toMatchObject({ status: 'unavailable' });
    expect(store.discrepancies.size).toBe(0);
    expect(alerts.sourceProblems).toHaveLength(1);
  });

  it('lets a programming error propagate instead of hiding it as an unknown, leaving the run marked failed', async () => {
    const reporting = { ...reportingAdapter(), userBalances: () => Promise.reject(new TypeError('boom')) };
    const { deps: ports, store } = deps({ reporting });
    await expect(reconcile({ runId: 'r1', trigger: { type: 'direct' } }, runDeps(ports))).rejects.toThrow(TypeError);
    expect(store.runs).toEqual([expect.objectContaining({ runId: 'r1', status: 'failed', reason: 'failed: TypeError' })]);
  });

  it('leaves what a failed run owes in the outbox, and the next run publishes it once', async () => {
    // u1's page is written (its discrepancy and the alert it owes), then reading u2 fails for a reason no retry fixes.
    const failing = {
      ...reportingAdapter(),
      userBalances: (userId: string) => (userId === 'u2' ? Promise.reject(new TypeError('boom')) : reportingAdapter().userBalances(userId)),
    };
    const { deps: ports, store, alerts } = deps({ reporting: failing });
    await expect(reconcile({ runId: 'r1', trigger: { type: 'direct' } }, runDeps(ports))).rejects.toThrow(TypeError);
    expect([...store.owedAlerts.keys()]).toEqual(['amount-split:u1:eth#opened#1']);
    expect(alerts.alertIds).toEqual([]);

    await reconcile({ runId: 'r2', trigger: { type: 'direct' } }, runDeps({ ...ports, reporting: reportingAdapter() }));
    expect(alerts.alertIds.filter((id) => id === 'amount-split:u1:eth#opened#1')).toHaveLength(1);
    expect(alerts.opened.map((d) => d.id).sort()).toEqual(['amount-split:u1:eth', 'cross-source:u2:btc']);
    expect(store.owedAlerts.size).toBe(0);
  });

  it('records nothing owed on a dry run', async () => {
    const { deps: ports, store, alerts } = deps();
    await reconcile({ runId: 'r1', trigger: { type: 'direct' }, dryRun: true }, runDeps(ports));
    expect(store.owedAlerts.size).toBe(0);
    expect(alerts.alertIds).toEqual([]);
  });

  it('alerts once when a source starts failing, not again while it keeps failing, and once when it recovers', async () => {
    const store = new InMemoryStore();
    const alerts = new RecordingAlerts();
    const failing = { ...deps({ backOffice: backOfficeAdapter(true) }).deps, store, outbox: store, alerts };
    await reconcile({ runId: 'r1', trigger: { type: 'direct' } }, runDeps(failing));
    await reconcile({ runId: 'r2', trigger: { type: 'direct' } }, runDeps(failing));
    expect(alerts.sourceProblems.map((problem) => [problem.source, problem.runId])).toEqual([['backoffice', 'r1']]);
    await reconcile({ runId: 'r3', trigger: { type: 'direct' } }, runDeps({ ...deps().deps, store, outbox: store, alerts }));
    expect(alerts.recoveries).toEqual([expect.objectContaining({ source: 'backoffice', runId: 'r3' })]);
    expect(alerts.sourceProblems).toHaveLength(1);
  });

  it('returns the first summary, with no effect, when the same run is delivered again', async () => {
    const { deps: ports, store, alerts } = deps();
    const first = await reconcile({ runId: 'r1', trigger: { type: 'direct' } }, runDeps(ports));
    const again = await reconcile({ runId: 'r1', trigger: { type: 'direct' } }, runDeps(ports));
    expect(again).toEqual(first);
    expect(alerts.opened).toHaveLength(2);
    expect(store.runs).toHaveLength(1);
  });

  it('skips a run while another holds the run lock, storing it skipped with the holder named, and runs a later delivery of its id', async () => {
    const { deps: ports, store } = deps();
    await store.acquireLock('someone-else', 60_000, new Date('2026-11-22T00:00:00Z'));
    const summary = await reconcile({ runId: 'r1', trigger: { type: 'direct' } }, runDeps(ports));
    expect(summary).toMatchObject({ status: 'skipped', reason: 'another run holds the run lock: someone-else' });
    expect(store.runs.map((run) => run.status)).toEqual(['skipped']);
    await store.releaseLock('someone-else');
    expect(await reconcile({ runId: 'r1', trigger: { type: 'direct' } }, runDeps(ports))).toMatchObject({ status: 'complete' });
  });

  describe('with a Bot, an Admin and a user the back office does not know', () => {
    const rated = (asset: string, amount: string, rate: string): ReportingBalance => ({
      ...balance(asset, amount, '0', amount),
      rate: a(rate),
    });
    const extra: Record<string, { roles: string[]; balances: ReportingBalance[] }> = {
      bot: { roles: ['Bot'], balances: [rated('btc', '7', '30000'), rated('usdt', '0', '1')] },
      admin: { roles: ['Admin'], balances: [rated('btc', '0.25', '30000'), rated('eth', '1', '2000')] },
      ghost: { roles: ['Trader'], balances: [rated('btc', '0.2', '30000'), rated('usdt', '150', '1')] },
    };
    const extraDeposits = Object.entries(extra).flatMap(([userId, { balances }]) =>
      balances.map((row) => deposit(`x-${userId}-${row.asset}`, userId, row.asset, row.amount.toString())),
    );
    /** The book above plus the three users; Reporting's totals count the ghost (a Trader) and leave the Bot and the Admin out. */
    const widened = (btcTotal: string): ReportingPort => {
      const base = reportingAdapter();
      return {
        ...base,
        assets: async () => [
          { assetId: 'eth', scale: 18, total: a('3.000000000000000001') },
          { assetId: 'btc', scale: 8, total: a(btcTotal) },
          { assetId: 'usdt', scale: 6, total: a('150') },
        ],
        usersPage: fakeListing([
          ...Object.keys(reportingBook).map((userId) => ({ userId, roles: ['Trader'] })),
          ...Object.entries(extra).map(([userId, { roles }]) => ({ userId, roles })),
        ]),
        userBalances: async (userId) => extra[userId]?.balances ?? base.userBalances(userId),
        transfers: async (userIds, created) => [
          ...(await base.transfers(userIds, created)),
          ...extraDeposits.filter((row) => userIds.includes(row.userId)),
        ],
      };
    };
    /** The back office knows the Bot and the Admin, not the ghost (the plain port answers not found for it). */
    const plain = backOfficeAdapter();
    const backOffice: BackOfficePort = {
      balances: async (userIds) =>
        (await plain.balances(userIds)).map((entry) => {
          const holder = entry.userId === 'ghost' ? undefined : extra[entry.userId];
          if (!holder) return entry;
          return { userId: entry.userId, found: true as const, balances: new Map(holder.balances.map((row) => [row.asset, row])) };
        }),
      available: async (userId) => {
        const holder = userId === 'ghost' ? undefined : extra[userId];
        if (!holder) return plain.available(userId);
        return { userId, found: true as const, available: new Map(holder.balances.map((row) => [row.asset, row.available])) };
      },
    };

    it('shows their holdings outside the reported totals as information, finds nothing on the Bot or the Admin, and values the unknown user per asset', async () => {
      const { deps: ports, store, alerts } = deps({ reporting: widened('1.7'), backOffice });
      const summary = await reconcile({ runId: 'r1', trigger: { type: 'direct' } }, runDeps(ports));
      expect(summary.users).toBe(5);
      expect(summary.outsideTotals).toEqual({ btc: { users: 2, amount: '7.25' }, eth: { users: 1, amount: '1' } });
      expect(summary.checks['asset-totals']).toEqual({ match: 3, mismatch: 0, 'in-flight': 0, unknown: 0 });
      expect([...store.discrepancies.keys()].sort()).toEqual([
        'amount-split:u1:eth',
        'cross-source:u2:btc',
        'presence:ghost:btc',
        'presence:ghost:usdt',
      ]);
      expect(store.discrepancies.get('presence:ghost:btc')).toMatchObject({
        field: 'user-not-found',
        expected: '0.2',
        actual: '0',
        difference: '-0.2',
        differenceInRoot: '6000',
        severity: 'medium',
        evidence: { 'backoffice.error': 'User with id:ghost not found.' },
      });
      expect(store.discrepancies.get('presence:ghost:usdt')).toMatchObject({ differenceInRoot: '150', severity: 'medium' });
      expect(alerts.opened.map((d) => d.userId)).not.toContain('bot');
      expect(alerts.opened.map((d) => d.userId)).not.toContain('admin');
    });

    it('leaves alone, in a run judging only some assets, the presence discrepancies of the other assets (it did not compare the user in full)', async () => {
      const { deps: ports, store } = deps({ reporting: widened('1.7'), backOffice });
      await reconcile({ runId: 'r1', trigger: { type: 'direct' } }, runDeps(ports));
      await reconcile({ runId: 'r2', trigger: { type: 'direct' }, scope: { assets: ['btc'] } }, runDeps(ports));
      expect(store.discrepancies.get('presence:ghost:usdt')?.status).toBe('open');
      expect(store.discrepancies.get('presence:ghost:btc')?.status).toBe('open');
    });

    it('keeps the holdings outside the totals in the evidence of an asset total that counted them', async () => {
      const { deps: ports, store } = deps({ reporting: widened('8.95'), backOffice });
      await reconcile({ runId: 'r1', trigger: { type: 'direct' } }, runDeps(ports));
      expect(store.discrepancies.get('asset-totals:*:btc')).toMatchObject({
        difference: '7.25',
        evidence: { 'reporting.outsideTotals.sum': '7.25', 'reporting.outsideTotals.users': '2' },
      });
    });
  });

  it('checks only the scope it was given, leaves asset totals unknown for a user scope, and records nothing on a dry run', async () => {
    const { deps: ports, store, alerts } = deps();
    const scoped = await reconcile(
      { runId: 'r1', trigger: { type: 'direct' }, scope: { users: ['u2'], checks: ['cross-source', 'asset-totals'] }, dryRun: true },
      runDeps(ports),
    );
    expect(scoped.users).toBe(1);
    expect(scoped.checks['cross-source']).toEqual({ match: 0, mismatch: 1, 'in-flight': 0, unknown: 0 });
    expect(scoped.checks['amount-split']).toEqual({ match: 0, mismatch: 0, 'in-flight': 0, unknown: 0 });
    expect(scoped.checks['asset-totals'].unknown).toBe(3);
    expect(scoped).toMatchObject({ dryRun: true, scope: { users: ['u2'] } });
    expect(store.discrepancies.size).toBe(0);
    expect(store.runs.map((run) => [run.runId, run.dryRun])).toEqual([['r1', true]]);
    expect(alerts.opened).toHaveLength(0);
  });
});

describe('reconcile, the coordinator', () => {
  /** The book's deps with a run state in memory, shards of one user, and (with `invoker`) work queued to shard workers. */
  function sharded(overrides: { reporting?: ReportingPort; invoker?: boolean; usersPerShard?: number } = {}) {
    const { deps: ports, store, alerts } = deps(overrides);
    const runState = new InMemoryRunState();
    const queue: RunWork[] = [];
    const invoker = { invoke: async (work: RunWork) => void queue.push(work) };
    const shards = { usersPerShard: overrides.usersPerShard ?? 1, concurrency: 1, ...(overrides.invoker && { invoker }) };
    return { store, alerts, runState, queue, deps: runDeps({ ...ports, runState, shards }) };
  }
  /** Delivers the queued work to shard workers until none is left; the last answer is the run's summary. */
  async function drainQueue(queue: RunWork[], deps: ReturnType<typeof sharded>['deps']) {
    let last: RunSummary | undefined;
    for (let work = queue.shift(); work; work = queue.shift()) {
      last = (await reconcileShard(work, deps)) ?? last;
    }
    return last;
  }

  it('skips a run whose id is already in progress, writing nothing', async () => {
    const { deps: ports, store } = deps();
    await store.beginRun({ runId: 'r1', trigger: { type: 'direct' }, asOf: '', startedAt: '' });
    const summary = await reconcile({ runId: 'r1', trigger: { type: 'direct' } }, runDeps(ports));
    expect(summary).toMatchObject({ status: 'skipped', reason: 'this run is already in progress', users: 0 });
    expect(store.runs).toEqual([]);
    expect(await store.lockHolder()).toBeUndefined();
  });

  it('stores a run that fails after its first shard as failed with what it counted, and releases the lock', async () => {
    const reporting = {
      ...reportingAdapter(),
      userBalances: (userId: string) => (userId === 'u2' ? Promise.reject(new TypeError('boom')) : reportingAdapter().userBalances(userId)),
    };
    const { store, deps: run } = sharded({ reporting });
    await expect(reconcile({ runId: 'r1', trigger: { type: 'direct' } }, run)).rejects.toThrow(TypeError);
    expect(store.runs).toEqual([expect.objectContaining({ status: 'failed', reason: 'failed: TypeError', users: 1, shards: 2 })]);
    expect(await store.lockHolder()).toBeUndefined();
  });

  it('runs a dry run while another run holds the lock, writing nothing but its summary', async () => {
    const { store, alerts, runState, deps: run } = sharded();
    await store.acquireLock('someone-else', 60_000, new Date('2026-11-22T00:00:00Z'));
    const summary = await reconcile({ runId: 'r1', trigger: { type: 'direct' }, dryRun: true }, run);
    expect(summary).toMatchObject({ status: 'complete', dryRun: true, users: 2, shards: 2 });
    expect(summary.checks['cross-source'].mismatch).toBe(1);
    expect(store.discrepancies.size).toBe(0);
    expect(store.sources).toEqual({});
    expect(await runState.loadPlan('r1')).toBeUndefined();
    expect(alerts.alertIds).toEqual([]);
    expect(store.runs).toEqual([summary]);
    expect(await store.lockHolder()).toBe('someone-else');
  });

  it('fans the shards out to workers, keeping the lock, and the last to finish ends the run', async () => {
    const { store, alerts, runState, queue, deps: run } = sharded({ invoker: true });
    const running = await reconcile({ runId: 'r1', trigger: { type: 'direct' } }, run);
    expect(running).toMatchObject({ status: 'running', shards: 2, users: 0 });
    expect(queue).toEqual([{ runId: 'r1', shard: 0 }]);
    expect(await runState.loadPlan('r1')).toMatchObject({ runId: 'r1', shards: [{ firstPage: 1 }, { firstPage: 2 }] });
    expect(await store.lockHolder()).toBe('r1');
    const summary = await drainQueue(queue, run);
    expect(summary).toMatchObject({ status: 'complete', users: 2, shards: 2 });
    expect(alerts.opened.map((d) => d.id).sort()).toEqual(['amount-split:u1:eth', 'cross-source:u2:btc']);
    expect(await store.lockHolder()).toBeUndefined();
  });

  it('hands a shard run here to a worker when time runs short, keeping the lock, and the worker finishes the run', async () => {
    const { store, queue, deps: run } = sharded();
    const withInvoker = { ...run, ports: { ...run.ports, invoker: { invoke: async (work: RunWork) => void queue.push(work) } } };
    const running = await reconcile({ runId: 'r1', trigger: { type: 'direct' } }, withInvoker, { remainingMs: () => 0 });
    expect(running).toMatchObject({ status: 'running', shards: 2 });
    expect(queue).toEqual([{ runId: 'r1', shard: 0 }]);
    expect(await store.lockHolder()).toBe('r1');
    expect(await drainQueue(queue, withInvoker)).toMatchObject({ status: 'complete', users: 2 });
  });

  it('stops a shard worker whose run lost the lock, storing the run failed with what its checkpoints hold', async () => {
    const { store, queue, deps: run } = sharded({ invoker: true });
    await reconcile({ runId: 'r1', trigger: { type: 'direct' } }, run);
    await store.releaseLock('r1');
    await store.acquireLock('r2', 60_000, new Date('2026-11-22T00:00:00Z'));
    const failed = await drainQueue(queue, run);
    expect(failed).toMatchObject({ status: 'failed', reason: 'failed: LockLostError', users: 0, shards: 2 });
    expect(store.discrepancies.size).toBe(0);
    expect(store.runs.at(-1)).toEqual(failed);
  });

  it("hands a worker's shard over when its time runs short, and a redelivery whose work failed takes the shard over", async () => {
    let fail = true;
    const reporting = {
      ...reportingAdapter(),
      userBalances: (userId: string) => (fail ? Promise.reject(new TypeError('boom')) : reportingAdapter().userBalances(userId)),
    };
    const { queue, deps: run } = sharded({ invoker: true, reporting });
    await reconcile({ runId: 'r1', trigger: { type: 'direct' } }, run);
    const [first] = queue.splice(0);
    if (!first) throw new Error('nothing queued');
    await expect(reconcileShard(first, run)).rejects.toThrow(TypeError);
    fail = false;
    expect(await reconcileShard(first, run, { remainingMs: () => 0 })).toBeUndefined();
    expect(queue).toEqual([first]);
    expect(await drainQueue(queue, run)).toMatchObject({ status: 'complete', users: 2 });
  });

  it('hands the final phase over when time runs short during the venue reads, here and again in a worker', async () => {
    const reads: string[] = [];
    const venues: VenuePorts = {
      accounts: {
        multimarkets: ['u1', 'u2', 'u1'].map((userId, i) => ({
          thirdServerCode: 'T1',
          userName: `8600000${i}`,
          currency: 'USDT',
          userId,
          asset: 'usdt',
        })),
        indx: [],
      },
      multiMarkets: {
        balance: async (ref) => {
          reads.push(ref.userName);
          return { found: true, amount: a('0'), scale: 6, currency: ref.currency, userName: ref.userName };
        },
      },
    };
    const { store, queue, deps: sharded1 } = sharded({ usersPerShard: 10 });
    const run = {
      ...sharded1,
      ports: {
        ...sharded1.ports,
        venues,
        venueLog: new InMemoryVenueCheckLog(),
        invoker: { invoke: async (work: RunWork) => void queue.push(work) },
      },
    };
    const shortOnceRead = { remainingMs: () => (reads.length > 0 ? 0 : 3_600_000) };
    expect(await reconcile({ runId: 'r1', trigger: { type: 'direct' } }, run, shortOnceRead)).toMatchObject({ status: 'running' });
    expect(queue).toEqual([{ runId: 'r1', final: true }]);
    const [final] = queue.splice(0);
    if (!final) throw new Error('nothing queued');
    expect(await reconcileShard(final, run, { remainingMs: () => 0 })).toBeUndefined();
    expect(queue).toEqual([{ runId: 'r1', final: true, claim: expect.any(String) }]);
    expect(await store.lockHolder()).toBe('r1');
    expect(await drainQueue(queue, run)).toMatchObject({ status: 'complete', users: 2, venues: { multimarkets: { checked: 3 } } });
    expect(reads).toEqual(['86000000', '86000001', '86000002']);
  });

  it('refuses shard work for a run with no stored plan', async () => {
    const { deps: run } = sharded({ invoker: true });
    await expect(reconcileShard({ runId: 'nope', shard: 0 }, run)).rejects.toThrow(RangeError);
  });
});
