import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { RunSummary } from '../../lib/ports/run-summary';
import { reconcile, reconcileShard } from '../../lib/runs/reconcile';
import { DynamoDbDiscrepancyStore } from '../../lib/store/dynamodb-discrepancy-store';
import { type RunningSandbox, startSandbox } from '../../sandbox/server';
import { runDeps } from '../support/run-deps';
import { drain, type ShardedWiring, shardedWiring } from '../support/sharded-run';

let sandbox: RunningSandbox;

beforeAll(async () => {
  sandbox = await startSandbox({ port: 0, users: 120, seed: 11 });
});
afterAll(async () => {
  await sandbox.close();
});

const asOf = () => new Date(sandbox.book.asOf);
const request = (runId: string) => ({ runId, trigger: { type: 'direct' as const }, asOf: asOf() });
/** The book's planted discrepancies this run records (no venue is mapped here). */
const planted = () => sandbox.book.manifest.planted.filter((plant) => !plant.check.startsWith('venue-')).length;

/** Counts the run summaries stored with each status. */
function summaryWrites(runId: string) {
  // On the class: a run writes through its fenced view of the store, another instance.
  const spy = vi.spyOn(DynamoDbDiscrepancyStore.prototype, 'saveRun');
  return (status: RunSummary['status']) =>
    spy.mock.calls.filter(([summary]) => summary.runId === runId && summary.status === status).length;
}

/** Every discrepancy item and history row, as stored. */
async function stored(w: ShardedWiring) {
  const scan = async (table: string) => (await w.documents.send(new ScanCommand({ TableName: table }))).Items ?? [];
  const show = (items: Record<string, unknown>[]) => items.map((item) => JSON.stringify(item)).sort();
  return { items: show(await scan(w.tables.discrepancies)), history: show(await scan(w.tables.history)) };
}

/** Delivers the queued shards until one (the last to finish) is left in the queue, and answers it. */
async function upToLastShard(w: ShardedWiring) {
  for (;;) {
    const work = w.invoker.queue.shift();
    if (!work) throw new Error('no shard left');
    if (w.invoker.queue.length === 0 && 'shard' in work && work.shard === 2) return work;
    await reconcileShard(work, runDeps(w.deps));
  }
}

/** An alert publisher that fails its first `opened` alert, as a Lambda killed while sending would. */
/**
 * The outbox unreachable at its `nth` read from now (1: the next): the run's final drain, after the
 * final phase's checkpoint and before its summary, fails as a DynamoDB outage would.
 */
function outboxDownAt(w: ShardedWiring, nth: number) {
  const outbox = w.deps.outbox;
  const original = outbox.owed.bind(outbox);
  let calls = 0;
  outbox.owed = async () => {
    if (++calls === nth) throw new Error('the outbox is unreachable');
    return original();
  };
}

describe('the final phase (real sandbox over HTTP, DynamoDB Local)', () => {
  it('finalises once when the last shard is delivered twice', async () => {
    const w = await shardedWiring(sandbox);
    const writes = summaryWrites('twice');
    await reconcile(request('twice'), runDeps(w.deps));
    const last = await upToLastShard(w);
    expect(await reconcileShard(last, runDeps(w.deps))).toMatchObject({ status: 'complete', users: 120 });
    const opened = w.alerts.opened.length;
    expect(opened).toBe(planted());

    // Lambda delivers the same event again: the run is over, nothing is finalised a second time.
    expect(await reconcileShard(last, runDeps(w.deps))).toBeUndefined();
    expect(w.alerts.opened).toHaveLength(opened);
    expect(writes('complete')).toBe(1);
  });

  it('finalises once when the last shard is delivered twice at the same time', async () => {
    const w = await shardedWiring(sandbox);
    const writes = summaryWrites('concurrent');
    await reconcile(request('concurrent'), runDeps(w.deps));
    const last = await upToLastShard(w);
    const [one, other] = await Promise.all([reconcileShard(last, runDeps(w.deps)), reconcileShard(last, runDeps(w.deps))]);
    expect([one?.status, other?.status].sort()).toEqual(['complete', undefined]);
    expect(w.alerts.opened).toHaveLength(planted());
    expect(writes('complete')).toBe(1);
  });

  it('is left alone while a killed claimant’s lease lasts, then taken over and resumed from its checkpoint', async () => {
    const w = await shardedWiring(sandbox);
    const writes = summaryWrites('killed');
    await reconcile(request('killed'), runDeps(w.deps));
    const last = await upToLastShard(w);
    // The claimant dies while draining the run's alerts (the outbox fails): after its checkpoint, before the summary.
    outboxDownAt(w, 1);
    await expect(reconcileShard(last, runDeps(w.deps))).rejects.toThrow('the outbox is unreachable');
    expect(await w.runState.loadTally('killed', 3)).toMatchObject({ venueProgress: {} });
    // A claimant killed by the platform gives nothing up: its lease stays until its deadline.
    const now = w.clock.now().getTime();
    expect(await w.runState.claimPhase('killed', 'final', 'a-killed-claimant', now + 60_000, now)).toBe(true);
    expect(await reconcileShard(last, runDeps(w.deps))).toBeUndefined();
    expect(writes('complete')).toBe(0);

    w.clock.skewMs = 61_000;
    const settled = vi.spyOn(DynamoDbDiscrepancyStore.prototype, 'saveMany');
    expect(await reconcileShard(last, runDeps(w.deps))).toMatchObject({ status: 'complete', users: 120 });
    // Resumed from the checkpoint: the asset totals it had settled are not settled again.
    expect(settled.mock.calls.flatMap(([writes]) => writes).filter((write) => write.next.check === 'asset-totals')).toEqual([]);
    expect(w.alerts.opened).toHaveLength(planted());
    expect(writes('complete')).toBe(1);
  });
});

describe('a failed run delivered again (real sandbox over HTTP, DynamoDB Local)', () => {
  it('stores what its checkpoints hold, then resumes without redoing its shards and ends complete', async () => {
    const w = await shardedWiring(sandbox);
    const inline = { ...w.deps, shards: undefined };
    // The drain at the run's start answers; the one at its end fails.
    outboxDownAt(w, 2);
    await expect(reconcile(request('retried'), runDeps(inline))).rejects.toThrow('the outbox is unreachable');
    const failed = await w.store.getRun('retried');
    expect(failed).toMatchObject({ status: 'failed', users: 120, discrepancies: { total: planted() } });
    expect(failed?.positions).toBeGreaterThan(0);

    const pagesBefore = w.pagesRead.length;
    expect(await reconcile(request('retried'), runDeps(inline))).toMatchObject({ status: 'complete', users: 120 });
    expect(w.pagesRead).toHaveLength(pagesBefore);
    expect(await w.store.getRun('retried')).toMatchObject({ status: 'complete', users: 120, discrepancies: { total: planted() } });
    expect(w.alerts.opened).toHaveLength(planted());
  });
});

describe('the run lock (real sandbox over HTTP, DynamoDB Local)', () => {
  it('stops a run whose lock expired while its shards were delayed: it writes nothing, and the run that took the lock completes', async () => {
    const a = await shardedWiring(sandbox);
    a.deps.lockTtlMs = 60_000;
    await reconcile(request('run-a'), runDeps(a.deps));
    const delayed = a.invoker.queue.splice(0);
    expect(delayed).toHaveLength(2);

    // A's lock expires while its shard events wait; run B takes it.
    const b = await shardedWiring(sandbox, 0, a.shared);
    b.clock.skewMs = 61_000;
    a.clock.skewMs = 61_000;
    expect(await reconcile(request('run-b'), runDeps(b.deps))).toMatchObject({ status: 'running' });

    const before = await stored(a);
    const lost = await reconcileShard(delayed[0] as (typeof delayed)[number], runDeps(a.deps));
    expect(await stored(a)).toEqual(before);
    expect(lost).toMatchObject({ runId: 'run-a', status: 'failed', reason: 'failed: LockLostError' });

    expect(await drain(b)).toMatchObject({ runId: 'run-b', status: 'complete', users: 120 });
    // After B released the lock, A's other delayed shard still writes nothing.
    const afterB = await stored(a);
    expect(await reconcileShard(delayed[1] as (typeof delayed)[number], runDeps(a.deps))).toMatchObject({ status: 'failed' });
    expect(await stored(a)).toEqual(afterB);
    expect(await a.store.getRun('run-a')).toMatchObject({ status: 'failed', reason: 'failed: LockLostError' });
  });

  it('stores a loser `skipped` with the holder named, and runs a later delivery of its id', async () => {
    const w = await shardedWiring(sandbox);
    await reconcile(request('holder'), runDeps(w.deps));
    const loser = await reconcile(request('loser'), runDeps({ ...w.deps, shards: undefined }));
    expect(loser).toMatchObject({ status: 'skipped', reason: 'another run holds the run lock: holder' });
    expect(await w.store.getRun('loser')).toMatchObject({ status: 'skipped', reason: 'another run holds the run lock: holder' });

    expect(await drain(w)).toMatchObject({ runId: 'holder', status: 'complete' });
    expect(await reconcile(request('loser'), runDeps({ ...w.deps, shards: undefined }))).toMatchObject({ status: 'complete', users: 120 });
  });
});
