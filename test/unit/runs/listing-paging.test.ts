import { describe, expect, it } from 'vitest';
import { Amount } from '../../../lib/domain/money';
import type { BackOfficePort, CreatedRange, ReportingPort, UserInfo } from '../../../lib/ports/upstream';
import { reconcile } from '../../../lib/runs/reconcile';
import { InMemoryStore, RecordingAlerts } from '../../fakes/in-memory-ports';
import { createdAtOf, fakeListing } from '../../fakes/listing';
import { runDeps } from '../../support/run-deps';

/**
 * A user listing served as a server that decides its page size: every answer holds `min(asked, cap)`
 * users of those in the asked `CreatedAt` range, except where `serve` changes the `n`-th answer of the
 * shards' reads (to make it short, or another size). Each user holds 1 btc in both sources, so the btc
 * total is the number of users.
 */
function listing(users: number, cap: number, serve: (n: number, answer: Served) => Served = (_, answer) => answer) {
  const all: UserInfo[] = Array.from({ length: users }, (_, i) => ({ userId: `u${String(i + 1).padStart(3, '0')}`, roles: ['Trader'] }));
  const listed = fakeListing(all, cap);
  const asked: { created: CreatedRange; page: number; size: number }[] = [];
  const reporting: ReportingPort = {
    assets: async () => [{ assetId: 'btc', scale: 8, total: Amount.parse(String(users)) }],
    usersPage: async (created, page, askedSize) => {
      asked.push({ created, page, size: askedSize });
      const answer = await listed(created, page, askedSize);
      // The plan's requests (the late sign-ups' from the as-of, the pages' to it) are served as they are.
      const shardReads = asked.filter((call) => call.created.to && (call.created.from || call.page === 1)).length - 1;
      return created.to && shardReads > 0 ? serve(shardReads, answer) : answer;
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
    finishedOrders: async () => [],
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
    runDeps({
      reporting: served.reporting,
      backOffice: served.backOffice,
      store,
      outbox: store,
      alerts: new RecordingAlerts(),
      clock: { now: () => new Date('2026-11-22T00:00:00Z') },
      userBatchSize,
      ...(usersPerShard && { shards: { usersPerShard, concurrency: 1 } }),
    }),
  );
}

describe('a run over a server that decides its page size, reading the listing by creation key', () => {
  it('checks all 48 users when 50 are asked and pages of 15 are answered, each shard request starting at the last instant read', async () => {
    const served = listing(48, 15);
    const summary = await run(served);
    expect(summary.status).toBe('complete');
    expect(summary.users).toBe(48);
    expect(summary.checks['asset-totals']).toEqual({ match: 1, mismatch: 0, 'in-flight': 0, unknown: 0 });
    expect(summary.discrepancies.total).toBe(0);
    expect(served.asked.every((call) => call.size === 50)).toBe(true);
    const asOf = '2026-11-22T00:00:00.000Z';
    // Twice the users signed up after the as-of (around the asset totals), the plan's page 1, then the shard by
    // key, then twice again around the totals read at the run's end (they must not have moved).
    expect(served.asked.map((call) => [call.created.from ?? '-', call.created.to ?? '-', call.page])).toEqual([
      [asOf, '-', 1],
      [asOf, '-', 1],
      ['-', asOf, 1],
      ['-', asOf, 1],
      [createdAtOf(14), asOf, 1],
      // `from` is inclusive: each page serves the last user read again (dropped), and 14 new ones.
      [createdAtOf(28), asOf, 1],
      [createdAtOf(42), asOf, 1],
      [asOf, '-', 1],
      [asOf, '-', 1],
    ]);
  });

  it('cuts shards by key from the answered page size: 7 users a page, 14 users a shard, every one of 30 users checked once', async () => {
    const served = listing(30, 7);
    const summary = await run(served, 50, 14);
    expect(summary).toMatchObject({ status: 'complete', users: 30, shards: 3 });
    // The plan asked pages 3 and 5 once each for the second and third shards' first keys.
    expect(served.asked.filter((call) => !call.created.from && call.page > 1).map((call) => call.page)).toEqual([3, 5]);
    expect(served.asked.filter((call) => call.created.from === createdAtOf(14) && call.page === 1)).toHaveLength(1);
  });

  it('checks every user at a page size of 1', async () => {
    const summary = await run(listing(5, 1));
    expect(summary).toMatchObject({ status: 'complete', users: 5 });
  });

  it('is partial, naming where it read from, when a page comes back without users of its middle (users the server skipped)', async () => {
    const served = listing(48, 15, (n, answer) =>
      n === 2 ? { ...answer, users: answer.users.filter((_, i) => i < 5 || i >= 8) } : answer,
    );
    const summary = await run(served);
    expect(summary.status).toBe('partial');
    expect(summary.users).toBe(45);
    expect(summary.sources.reporting?.firstError).toMatch(new RegExp(`the listing from ${createdAtOf(14)}: 12 of its 15 users answered`));
    expect(summary.checks['asset-totals']).toMatchObject({ match: 0, mismatch: 0, unknown: 1 });
  });

  it('follows a page size the server changes mid-read: every user checked, the run complete', async () => {
    const served = listing(48, 15, (n, answer) => (n === 2 ? { ...answer, users: answer.users.slice(0, 10), pageSize: 10 } : answer));
    const summary = await run(served);
    expect(summary).toMatchObject({ status: 'complete', users: 48 });
  });

  it('stops at an empty page its paging promised users on, is partial, and names the range left unread', async () => {
    const served = listing(48, 15, (n, answer) => (n === 2 ? { ...answer, users: [] } : answer));
    const summary = await run(served);
    expect(summary).toMatchObject({ status: 'partial', users: 15 });
    expect(summary.sources.reporting?.firstError).toMatch(/0 of its 15 users answered/);
    expect(summary.unchecked?.listing).toEqual([{ from: createdAtOf(14), to: '2026-11-22T00:00:00.000Z' }]);
  });
});
