import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { RunSummary } from '../../lib/ports/run-summary';
import type { ReportingPort } from '../../lib/ports/upstream';
import { reconcile } from '../../lib/runs/reconcile';
import { Secret } from '../../lib/secret';
import { backOfficeAdapter } from '../../lib/sources/backoffice/backoffice-adapter';
import { BackOfficeClient } from '../../lib/sources/backoffice/backoffice-client';
import { JsonClient } from '../../lib/sources/http/json-client';
import { reportingAdapter } from '../../lib/sources/reporting/reporting-adapter';
import { ReportingClient } from '../../lib/sources/reporting/reporting-client';
import { SANDBOX_BACKOFFICE_TOKEN, SANDBOX_REPORTING_TOKEN } from '../../sandbox/credentials';
import { type RunningSandbox, startSandbox } from '../../sandbox/server';
import { RecordingAlerts } from '../fakes/in-memory-ports';
import { freshTables, runStore } from '../support/local-services';
import { expectExactlyPlanted } from '../support/planted-items';
import type { FlatDeps } from '../support/run-deps';
import { runDeps } from '../support/run-deps';

/**
 * Failure 1 of issue 16: the user listing lives while a run reads it. Users sign up and are deleted
 * through the sandbox's control routes during runs over HTTP, with DynamoDB Local behind the store.
 */
describe('a run over a user listing that changes while it is read', () => {
  let sandbox: RunningSandbox;
  let control: (path: string, body: unknown) => Promise<unknown>;
  /** Called after each listing answer with what it asked: `keyed` when a shard asked from the key it reached. */
  let onListing: (asked: { keyed: boolean }) => Promise<void>;

  beforeAll(async () => {
    sandbox = await startSandbox({ port: 0, users: 120, seed: 16 });
    control = async (path, body) =>
      (await fetch(`${sandbox.url}/__sandbox/${path}`, { method: 'POST', body: JSON.stringify(body) })).json() as Promise<unknown>;
  });
  afterAll(async () => {
    await sandbox?.close();
  });
  afterEach(async () => {
    await fetch(`${sandbox.url}/__sandbox/faults`, { method: 'DELETE' });
  });

  /** The real adapters over HTTP to the sandbox and fresh DynamoDB Local tables; counts each user's balance reads. */
  async function wiring(usersPerShard?: number) {
    const { tables, documents } = await freshTables();
    const http = (source: 'reporting' | 'backoffice') =>
      new JsonClient({ source, baseUrl: sandbox.url, concurrency: 8, timeoutMs: 10_000, retries: 0 });
    const reporting = reportingAdapter(new ReportingClient(http('reporting'), new Secret(SANDBOX_REPORTING_TOKEN), 100));
    const balanceReads = new Map<string, number>();
    onListing = async () => undefined;
    const watched: ReportingPort = {
      ...reporting,
      usersPage: async (...args: Parameters<ReportingPort['usersPage']>) => {
        const answer = await reporting.usersPage(...args);
        const [created] = args;
        await onListing({ keyed: created.from !== undefined && created.to !== undefined });
        return answer;
      },
      userBalances: (userId) => {
        balanceReads.set(userId, (balanceReads.get(userId) ?? 0) + 1);
        return reporting.userBalances(userId);
      },
    };
    const alerts = new RecordingAlerts();
    const deps: FlatDeps = {
      reporting: watched,
      backOffice: backOfficeAdapter(new BackOfficeClient(http('backoffice'), new Secret(SANDBOX_BACKOFFICE_TOKEN), 100), 100),
      ...runStore(documents, tables),
      alerts,
      clock: { now: () => new Date() },
      userBatchSize: 10,
      ...(usersPerShard && { shards: { usersPerShard, concurrency: 1 } }),
    };
    const items = async () => (await documents.send(new ScanCommand({ TableName: tables.discrepancies }))).Items ?? [];
    return { deps, alerts, balanceReads, items };
  }

  const run = (deps: FlatDeps, runId: string): Promise<RunSummary> =>
    reconcile({ runId, trigger: { type: 'direct' }, asOf: new Date(sandbox.book.asOf) }, runDeps(deps));
  /** The users a run as of the book's as-of lists, in creation order. */
  const listedAtAsOf = () =>
    sandbox.book.users
      .filter((user) => user.createdAt <= sandbox.book.asOf)
      .sort((a, b) => (a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : 0))
      .map((user) => user.userId);

  it('ends complete with the asset totals checked and every plant found while users sign up, some funded before the totals are read', async () => {
    const w = await wiring();
    // Two funded users signed up after the as-of and before the run read Reporting's asset totals: in those totals, not in the listing.
    await control('users', { count: 2, funds: { btc: '0.25', usdt: '100' } });
    const everyone = listedAtAsOf();
    const timer = setInterval(() => void control('users', { count: 1, funds: { eth: '1' } }).catch(() => undefined), 250);
    let summary: RunSummary;
    try {
      summary = await run(w.deps, 'signups-1');
    } finally {
      clearInterval(timer);
    }
    expect(sandbox.book.users.length).toBeGreaterThan(everyone.length + 2);
    expect(summary.status).toBe('complete');
    expect(summary.users).toBe(everyone.length);
    expect(summary.sources.reporting?.status).toBe('ok');
    expect(w.alerts.sourceProblems).toEqual([]);
    const assets = sandbox.book.assets.length;
    expect(summary.checks['asset-totals'].unknown).toBe(0);
    expect(summary.checks['asset-totals'].match + summary.checks['asset-totals'].mismatch).toBe(assets);
    // No venue is wired here: every plant but the venues' is found, and nothing else.
    const planted = sandbox.book.manifest.planted.filter((plant) => !plant.check.startsWith('venue-'));
    expect(planted.some((plant) => plant.check === 'asset-totals')).toBe(true);
    expectExactlyPlanted(await w.items(), planted);
  });

  it('checks every remaining user once when a user of the first page is deleted during the run', async () => {
    const w = await wiring();
    const before = listedAtAsOf();
    const victim = before[0] as string;
    // Once the shard asked its second page (from the last key of its first), the victim, read with the first, is deleted.
    let deleted = false;
    onListing = async ({ keyed }) => {
      if (keyed && !deleted) {
        deleted = true;
        await control('users/delete', { userIds: [victim] });
      }
    };
    const summary = await run(w.deps, 'deleted-1');
    expect(sandbox.book.users.some((user) => user.userId === victim)).toBe(false);
    // The victim was read with the first page, before it was deleted: no one after it may be skipped.
    const unchecked = before.filter((id) => !w.balanceReads.has(id));
    expect(unchecked).toEqual([]);
    expect(before.filter((id) => w.balanceReads.get(id) !== 1)).toEqual([]);
    expect(summary.status).toBe('complete');
    expect(w.alerts.sourceProblems).toEqual([]);
  });

  it('leaves the run partial when a listing call fails, and names the listing range left unread', async () => {
    const w = await wiring();
    const before = listedAtAsOf();
    // Once the shard asked its second page, its next listing call fails.
    let keyedCalls = 0;
    onListing = async ({ keyed }) => {
      if (keyed && ++keyedCalls === 1)
        await control('faults', { rules: [{ target: 'reporting', endpoint: 'users', mode: 'status', status: 500, times: 1 }] });
    };
    const summary = await run(w.deps, 'listing-fails-1');
    expect(summary.status).toBe('partial');
    expect(summary.sources.reporting?.status).not.toBe('ok');
    expect(summary.users).toBeLessThan(before.length);
    const read = before.filter((id) => w.balanceReads.has(id));
    const lastRead = sandbox.book.index.usersById.get(read.at(-1) as string)?.createdAt;
    expect(summary.unchecked?.listing).toEqual([{ from: lastRead, to: new Date(sandbox.book.asOf).toISOString() }]);
    expect(summary.checks['asset-totals'].unknown).toBe(sandbox.book.assets.length);
  });

  it('cuts shards by creation key and checks each user exactly once across them, while users sign up', async () => {
    const w = await wiring(40);
    const everyone = listedAtAsOf();
    const timer = setInterval(() => void control('users', { count: 1 }).catch(() => undefined), 40);
    let summary: RunSummary;
    try {
      summary = await run(w.deps, 'sharded-1');
    } finally {
      clearInterval(timer);
    }
    expect(summary.shards).toBe(Math.ceil(everyone.length / 40));
    expect(summary.status).toBe('complete');
    // The users who signed up after the as-of are read only around the asset totals (their funds, at the plan and
    // at the run's end), never by a shard; every listed user is read once.
    const byShards = [...w.balanceReads].filter(([userId]) => !userId.startsWith('signup-'));
    expect(byShards.map(([userId]) => userId).sort()).toEqual([...everyone].sort());
    expect(byShards.every(([, reads]) => reads === 1)).toBe(true);
  });
});
