import { describe, expect, it } from 'vitest';
import { Amount } from '../../../lib/domain/money';
import type { BackOfficePort, ReportingPort, UserInfo } from '../../../lib/runs/ports';
import { reconcile } from '../../../lib/runs/reconcile';
import { InMemoryStore, RecordingAlerts } from '../../fakes/in-memory-ports';

/**
 * A user listing served as a server that decides its page size: every page answers
 * `min(asked, cap)` users, except where `serve` changes one page (to make it short, or another size).
 * Each user holds 1 btc in both sources, so the btc total is the number of users.
 */
function listing(users: number, cap: number, serve: (page: number, answer: Served) => Served = (_, answer) => answer) {
  const all: UserInfo[] = Array.from({ length: users }, (_, i) => ({ userId: `u${String(i + 1).padStart(3, '0')}`, roles: ['Trader'] }));
  const asked: { page: number; size: number }[] = [];
  const reporting: ReportingPort = {
    assets: async () => [{ assetId: 'btc', scale: 8, total: Amount.parse(String(users)) }],
    usersPage: async (page, askedSize) => {
      asked.push({ page, size: askedSize });
      const size = Math.min(askedSize, cap);
      return serve(page, { users: all.slice((page - 1) * size, page * size), total: all.length, pageSize: size });
    },
    userBalances: async () => [{ asset: 'btc', amount: Amount.parse('1'), locked: Amount.ZERO, available: Amount.parse('1') }],
    openOrders: async () => [],
    transfers: async (userIds) =>
      userIds.map((userId) => ({
        id: `d-${userId}`,
        userId,
        assetId: 'btc',
        type: 'Deposit' as const,
        status: 'Completed',
        assetAmount: Amount.parse('1'),
        createdAt: '2026-11-01T00:00:00Z',
      })),
    orderIds: async () => [],
    tradesOfOrders: async () => [],
  };
  const backOffice: BackOfficePort = {
    balances: async (userIds) =>
      userIds.map((userId) => ({
        userId,
        found: true as const,
        balances: new Map([['btc', { amount: Amount.parse('1'), locked: Amount.ZERO }]]),
      })),
    available: async (userId) => ({ userId, found: true as const, available: new Map([['btc', Amount.parse('1')]]) }),
  };
  return { reporting, backOffice, asked };
}

type Served = Awaited<ReturnType<ReportingPort['usersPage']>>;

async function run(served: ReturnType<typeof listing>, userBatchSize = 50, usersPerShard?: number) {
  const store = new InMemoryStore();
  return reconcile(
    { runId: 'paging-1', trigger: { type: 'direct' }, asOf: new Date('2026-11-22T00:00:00Z') },
    {
      reporting: served.reporting,
      backOffice: served.backOffice,
      store,
      outbox: store,
      alerts: new RecordingAlerts(),
      clock: { now: () => new Date('2026-11-22T00:00:00Z') },
      userBatchSize,
      ...(usersPerShard && { shards: { usersPerShard, concurrency: 1 } }),
    },
  );
}

describe('a run over a server that decides its page size', () => {
  it('checks all 48 users when 50 are asked and pages of 15 are answered, reading the server pages 1 to 4', async () => {
    const served = listing(48, 15);
    const summary = await run(served);
    expect(summary.status).toBe('complete');
    expect(summary.users).toBe(48);
    expect(summary.checks['asset-totals']).toEqual({ match: 1, mismatch: 0, 'in-flight': 0, unknown: 0 });
    expect(summary.discrepancies.total).toBe(0);
    // Page 1 twice (the plan, then its shard), each asking 50; the server's pages 1 to 4 hold the 48.
    expect(served.asked.every((call) => call.size === 50)).toBe(true);
    expect(served.asked.map((call) => call.page)).toEqual([1, 1, 2, 3, 4]);
  });

  it('cuts shards from the answered page size: 7 users a page, 14 users a shard, every one of 30 users checked', async () => {
    const served = listing(30, 7);
    const summary = await run(served, 50, 14);
    expect(summary).toMatchObject({ status: 'complete', users: 30, shards: 3 });
  });

  it('checks every user at a page size of 1', async () => {
    const summary = await run(listing(5, 1));
    expect(summary).toMatchObject({ status: 'complete', users: 5 });
  });

  it('is partial, naming the page, when a middle page comes back short (users the server skipped)', async () => {
    const served = listing(48, 15, (page, answer) => (page === 2 ? { ...answer, users: answer.users.slice(0, 12) } : answer));
    const summary = await run(served);
    expect(summary.status).toBe('partial');
    expect(summary.users).toBe(45);
    expect(summary.sources.reporting?.firstError).toMatch(/page 2: 12 of its 15 users answered/);
    expect(summary.checks['asset-totals']).toMatchObject({ match: 0, mismatch: 0, unknown: 1 });
  });

  it('is partial, naming the page, when a later page answers another page size than the plan', async () => {
    const served = listing(48, 15, (page, answer) => (page === 3 ? { ...answer, pageSize: 10 } : answer));
    const summary = await run(served);
    expect(summary.status).toBe('partial');
    expect(summary.sources.reporting?.firstError).toMatch(/page 3: answered pages of 10 users, the plan's hold 15/);
  });

  it('reads past an empty middle page, and is partial naming it', async () => {
    const served = listing(48, 15, (page, answer) => (page === 2 ? { ...answer, users: [] } : answer));
    const summary = await run(served);
    expect(summary).toMatchObject({ status: 'partial', users: 33 });
    expect(summary.sources.reporting?.firstError).toMatch(/page 2: 0 of its 15 users answered/);
  });
});
