import { describe, expect, it } from 'vitest';
import { Amount } from '../../../../lib/domain/money';
import type { ReportingPort } from '../../../../lib/ports/upstream';
import { finalizeRun } from '../../../../lib/runs/final/finalize-run';
import { InMemoryStore, RecordingAlerts } from '../../../fakes/in-memory-ports';
import { fakeListing } from '../../../fakes/listing';
import { runDeps } from '../../../support/run-deps';
import { storedDiscrepancy } from '../../../support/stored-discrepancy';
import { planOf, tallyOf } from './fixtures';

const none = () => Promise.resolve([]);
/** Reporting at the run's end: btc 3.5 as planned, so the asset-totals check matches. */
const reporting: ReportingPort = {
  assets: async () => [{ assetId: 'btc', scale: 8, total: Amount.parse('3.5') }],
  usersPage: fakeListing([{ userId: 'u1', roles: ['Trader'] }]),
  userBalances: none,
  openOrders: none,
  transfers: none,
  finishedOrders: none,
  tradesOfOrders: none,
};

/** A store holding an open asset-totals break the run will resolve, an open and an acknowledged sanity break, and a resolved one. */
function setup() {
  const store = new InMemoryStore();
  for (const state of [
    storedDiscrepancy('asset-totals:*:btc', 'medium', 'open', '-700'),
    storedDiscrepancy('sanity:u9:eth', 'high', 'open', '12000.000000000000000001'),
    storedDiscrepancy('sanity:u8:shib', 'low', 'acknowledged'),
    storedDiscrepancy('sanity:u7:eth', 'critical', 'resolved', '5000000'),
  ])
    store.discrepancies.set(state.id, state);
  const deps = runDeps({
    reporting,
    backOffice: { balances: async () => [], available: async (userId) => ({ userId, found: false, message: 'none' }) },
    store,
    outbox: store,
    alerts: new RecordingAlerts(),
    clock: { now: () => new Date('2026-11-22T00:00:00.000Z') },
  });
  return { store, deps: { ...deps, settings: { ...deps.settings, rootAsset: 'usdt' } } };
}

describe('finalizeRun: the summary’s breaks', () => {
  it('are the open and acknowledged breaks after the run: what it resolved left out, valued in the root asset', async () => {
    const { store, deps } = setup();
    const summary = await finalizeRun(planOf(), [tallyOf()], deps);
    expect(store.discrepancies.get('asset-totals:*:btc')?.status).toBe('resolved');
    expect(summary?.breaks?.rootAsset).toBe('usdt');
    expect(summary?.breaks?.bySeverity).toMatchObject({
      low: { count: 1, value: '0', unpriced: 1 },
      medium: { count: 0, value: '0', unpriced: 0 },
      high: { count: 1, value: '12000.000000000000000001', unpriced: 0 },
      critical: { count: 0, value: '0', unpriced: 0 },
    });
    expect(summary?.breaks?.byCheck['asset-totals']).toEqual({ count: 0, value: '0', unpriced: 0 });
    expect(summary?.breaks?.byCheck.sanity).toEqual({ count: 2, value: '12000.000000000000000001', unpriced: 1 });
    expect(store.runs[0]?.breaks).toEqual(summary?.breaks);
  });

  it('count what the run opened in its final phase', async () => {
    const { store, deps } = setup();
    const moved: ReportingPort = { ...reporting, assets: async () => [{ assetId: 'btc', scale: 8, total: Amount.parse('3.6') }] };
    store.discrepancies.delete('asset-totals:*:btc');
    const plan = planOf({ assets: [{ assetId: 'btc', scale: 8, total: '3.6' }] });
    const summary = await finalizeRun(plan, [tallyOf()], { ...deps, ports: { ...deps.ports, reporting: moved } });
    expect(store.discrepancies.get('asset-totals:*:btc')?.status).toBe('open');
    expect(summary?.breaks?.byCheck['asset-totals']?.count).toBe(1);
  });

  it('on a dry run, are the breaks it found stored: it resolves nothing', async () => {
    const { store, deps } = setup();
    const summary = await finalizeRun(planOf({ dryRun: true }), [tallyOf()], deps);
    expect(store.discrepancies.get('asset-totals:*:btc')?.status).toBe('open');
    expect(summary?.breaks?.bySeverity.medium).toEqual({ count: 1, value: '700', unpriced: 0 });
    expect(summary?.breaks?.byCheck.sanity?.count).toBe(2);
  });
});
