import { describe, expect, it } from 'vitest';
import { Amount } from '../../../../lib/domain/money';
import type { RunWork } from '../../../../lib/ports/run';
import { SourceError } from '../../../../lib/ports/source-error';
import type { ReportingPort } from '../../../../lib/ports/upstream';
import type { VenuePorts } from '../../../../lib/ports/venues';
import { finalizeRun } from '../../../../lib/runs/final/finalize-run';
import { InMemoryRunState } from '../../../../lib/runs/run-state-memory';
import { InMemoryStore, InMemoryVenueCheckLog, RecordingAlerts } from '../../../fakes/in-memory-ports';
import { fakeListing } from '../../../fakes/listing';
import { runDeps } from '../../../support/run-deps';
import { planOf, tallyOf } from './fixtures';

const a = Amount.parse;
const NOW = new Date('2026-11-22T00:00:00.000Z');

/** Reporting at the run's end: btc 3.5 as planned (or `btcTotal`), two users, u1 holding 5.5 usdt for the venue. */
function reporting(btcTotal = '3.5'): ReportingPort {
  const none = () => Promise.resolve([]);
  return {
    assets: async () => [{ assetId: 'btc', scale: 8, total: a(btcTotal) }],
    usersPage: fakeListing([
      { userId: 'u1', roles: ['Trader'] },
      { userId: 'u2', roles: ['Trader'] },
    ]),
    userBalances: async () => [{ asset: 'usdt', amount: a('5.5'), locked: a('0'), available: a('5.5') }],
    openOrders: none,
    transfers: none,
    finishedOrders: none,
    tradesOfOrders: none,
  };
}

/** MultiMarkets accounts of u1 and u2, each holding what Reporting says; counts the venue's reads. */
function venue() {
  const reads: string[] = [];
  const ports: VenuePorts = {
    accounts: {
      multimarkets: [
        { thirdServerCode: 'T1', userName: '86000001', currency: 'USDT', userId: 'u1', asset: 'usdt' },
        { thirdServerCode: 'T1', userName: '86000002', currency: 'USDT', userId: 'u2', asset: 'usdt' },
      ],
      indx: [],
    },
    multiMarkets: {
      balance: async (ref) => {
        reads.push(ref.userName);
        return { found: true, amount: a('5.5'), scale: 6, currency: ref.currency, userName: ref.userName };
      },
    },
  };
  return { reads, ports };
}

function setup(overrides: { reporting?: ReportingPort; venues?: VenuePorts } = {}) {
  const store = new InMemoryStore();
  const alerts = new RecordingAlerts();
  const runState = new InMemoryRunState();
  const invoked: RunWork[] = [];
  const invoker = { invoke: async (work: RunWork) => void invoked.push(work) };
  const deps = runDeps({
    reporting: overrides.reporting ?? reporting(),
    backOffice: { balances: async () => [], available: async (userId) => ({ userId, found: false, message: 'none' }) },
    store,
    outbox: store,
    alerts,
    clock: { now: () => NOW },
    runState,
    venueLog: new InMemoryVenueCheckLog(),
    ...(overrides.venues && { venues: overrides.venues }),
  });
  return { store, alerts, runState, invoker, invoked, deps };
}

describe('finalizeRun', () => {
  it('checks the asset totals and the venues, stores the summary and publishes the alerts it owes', async () => {
    const { reads, ports } = venue();
    const { store, alerts, deps } = setup({ reporting: reporting('3.6'), venues: ports });
    const summary = await finalizeRun(planOf({ assets: [{ assetId: 'btc', scale: 8, total: '3.6' }] }), [tallyOf()], deps);
    expect(summary).toMatchObject({ status: 'complete', users: 2, alerts: { published: 1, owed: 0 } });
    expect(summary?.checks['asset-totals']).toEqual({ match: 0, mismatch: 1, 'in-flight': 0, unknown: 0 });
    expect(summary?.checks['venue-multimarkets'].match).toBe(2);
    expect(summary?.venues?.multimarkets).toMatchObject({ accounts: 2, checked: 2 });
    expect(reads).toEqual(['86000001', '86000002']);
    expect(alerts.opened.map((d) => d.id)).toEqual(['asset-totals:*:btc']);
    expect(store.runs).toEqual([summary]);
    expect(store.sources.reporting).toMatchObject({ status: 'ok' });
  });

  it('hands the venues over when time runs short, checkpointing the asset totals, which a resumed phase does not check again', async () => {
    const { reads, ports } = venue();
    const { store, runState, invoker, deps } = setup({ venues: ports });
    const plan = planOf();
    const short = { runState, invoker, control: { remainingMs: () => 0 } };
    // The venue stops after its first read (never before one), time being short.
    expect(await finalizeRun(plan, [tallyOf()], deps, undefined, short)).toBeUndefined();
    expect(reads).toEqual(['86000001']);
    expect(store.runs).toEqual([]);
    const checkpoint = await runState.loadTally('r1', 1);
    expect(checkpoint?.checks['asset-totals'].match).toBe(1);
    expect(checkpoint?.venueProgress).toBeDefined();

    const resumed = await finalizeRun(plan, [tallyOf()], deps, undefined, { ...short, control: {} });
    expect(resumed?.checks['asset-totals']).toEqual({ match: 1, mismatch: 0, 'in-flight': 0, unknown: 0 });
    expect(reads).toEqual(['86000001', '86000002']);
    expect(resumed?.checks['venue-multimarkets'].match).toBe(2);
  });

  it("fails the run when its plan failed, checking nothing, and owes the source's alert", async () => {
    const { reads, ports } = venue();
    const { store, alerts, deps } = setup({ venues: ports });
    const failure = new SourceError('reporting', 'assets-and-balances', 'network', 'ECONNREFUSED');
    const summary = await finalizeRun(planOf({ shards: [] }), [], deps, failure);
    expect(summary).toMatchObject({ status: 'failed', users: 0, sources: { reporting: { status: 'unavailable' } } });
    expect(summary?.checks['asset-totals']).toEqual({ match: 0, mismatch: 0, 'in-flight': 0, unknown: 0 });
    expect(reads).toEqual([]);
    expect(alerts.sourceProblems).toEqual([expect.objectContaining({ source: 'reporting' })]);
    expect(store.runs.map((run) => run.status)).toEqual(['failed']);
  });

  it('writes only the summary, marked dry, on a dry run: no discrepancy, source state, checkpoint or alert', async () => {
    const { store, alerts, runState, deps } = setup({ reporting: reporting('3.6') });
    const summary = await finalizeRun(planOf({ dryRun: true, assets: [{ assetId: 'btc', scale: 8, total: '3.6' }] }), [tallyOf()], deps);
    expect(summary).toMatchObject({ dryRun: true, status: 'complete' });
    expect(summary?.checks['asset-totals'].mismatch).toBe(1);
    expect(summary).not.toHaveProperty('alerts');
    expect(store.discrepancies.size).toBe(0);
    expect(store.sources).toEqual({});
    expect(await runState.loadTally('r1', 1)).toBeUndefined();
    expect(alerts.alertIds).toEqual([]);
    expect(store.runs).toEqual([summary]);
  });

  it("leaves the asset totals unknown when Reporting's totals moved while the users were read", async () => {
    const { deps } = setup({ reporting: reporting('3.7') });
    const summary = await finalizeRun(planOf(), [tallyOf()], deps);
    expect(summary?.checks['asset-totals']).toEqual({ match: 0, mismatch: 0, 'in-flight': 0, unknown: 1 });
  });

  it('notes a venue that fails outright in the health and finishes the run partial', async () => {
    const ports: VenuePorts = {
      ...venue().ports,
      multiMarkets: { balance: () => Promise.reject(new SourceError('multimarkets', 'balance', 'network', 'ECONNRESET')) },
    };
    const { deps } = setup({ venues: ports });
    const summary = await finalizeRun(planOf(), [tallyOf()], deps);
    expect(summary?.status).toBe('partial');
    expect(summary?.sources.multimarkets).toMatchObject({ failures: expect.any(Number) });
  });
});

describe('finalizeRun, a venue read that throws', () => {
  it('notes a source error that escapes the venue read as the venue unavailable, and finishes the run partial', async () => {
    const { deps } = setup({ venues: venue().ports });
    const failing = {
      lastChecked: () => Promise.reject(new SourceError('multimarkets', 'balance', 'network', 'ECONNRESET')),
      markChecked: async () => {},
    };
    const summary = await finalizeRun(planOf(), [tallyOf()], { ...deps, ports: { ...deps.ports, venueLog: failing } });
    expect(summary).toMatchObject({ status: 'partial', sources: { multimarkets: { status: 'unavailable' } } });
    expect(summary).not.toHaveProperty('venues');
  });

  it('lets any other error propagate', async () => {
    const { store, deps } = setup({ venues: venue().ports });
    const failing = { lastChecked: () => Promise.reject(new TypeError('boom')), markChecked: async () => {} };
    await expect(finalizeRun(planOf(), [tallyOf()], { ...deps, ports: { ...deps.ports, venueLog: failing } })).rejects.toThrow(TypeError);
    expect(store.runs).toEqual([]);
  });
});
