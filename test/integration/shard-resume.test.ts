import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reconcile } from '../../lib/runs/reconcile';
import { type RunningSandbox, startSandbox } from '../../sandbox/server';
import { runDeps } from '../support/run-deps';
import { drain, shardedWiring } from '../support/sharded-run';

let sandbox: RunningSandbox;

beforeAll(async () => {
  sandbox = await startSandbox({ port: 0, users: 120, seed: 11 });
});
afterAll(async () => {
  await sandbox.close();
});

const wiring = (checkpointEveryMs = 0) => shardedWiring(sandbox, checkpointEveryMs);

const asOf = () => new Date(sandbox.book.asOf);

/**
 * The same run twice, in fresh tables: uninterrupted, and with the worker of `killAt.shard` killed
 * once after `killAt.page` (checkpointing at most every `checkpointEveryMs`).
 */
async function wholeAndCut(runId: string, killAt: { shard: number; page: number }, checkpointEveryMs = 0) {
  const whole = await wiring();
  await reconcile({ runId: `${runId}-whole`, trigger: { type: 'direct' }, asOf: asOf() }, runDeps(whole.deps));
  const uninterrupted = await drain(whole);
  const cut = await wiring(checkpointEveryMs);
  await reconcile({ runId: `${runId}-cut`, trigger: { type: 'direct' }, asOf: asOf() }, runDeps(cut.deps));
  let killed = false;
  const interrupted = await drain(cut, (shard, page) => {
    if (shard !== killAt.shard || page !== killAt.page || killed) return false;
    killed = true;
    return true;
  });
  return { whole, uninterrupted, cut, interrupted, killed };
}

describe('a sharded run (real sandbox over HTTP, DynamoDB Local)', () => {
  it('plans shards, fans them out with bounded concurrency, and the last shard completes the run', async () => {
    const w = await wiring();
    const started = await reconcile({ runId: 'fan-1', trigger: { type: 'direct' }, asOf: asOf() }, runDeps(w.deps));
    expect(started).toMatchObject({ status: 'running', shards: 3 });
    expect(w.invoker.queue).toEqual([
      { runId: 'fan-1', shard: 0 },
      { runId: 'fan-1', shard: 1 },
    ]); // concurrency 2: the third waits for a free slot
    const summary = await drain(w);
    expect(summary).toMatchObject({ runId: 'fan-1', status: 'complete', users: 120, shards: 3 });
    expect(await w.store.getRun('fan-1')).toMatchObject({ status: 'complete', users: 120 });
  });

  it('resumes a worker killed mid-shard from its last page and ends with the same discrepancies as an uninterrupted run', async () => {
    // Shard 1 starts at page 5; its worker dies after checkpointing its second page (page 6).
    const { whole, uninterrupted, cut, interrupted, killed } = await wholeAndCut('resume', { shard: 1, page: 6 });
    expect(killed).toBe(true);
    // Resumed from its checkpoint (the key it reached): its first two requests were not made again; the
    // two after them (two pages are read while one is checked) were being read ahead when the worker died.
    const plan = await cut.runState.loadPlan('resume-cut');
    const first = cut.keysRead.indexOf(`${plan?.shards[1]?.from}#1`);
    const times = (key: string | undefined) => cut.keysRead.filter((one) => one === key).length;
    expect(first).toBeGreaterThan(0);
    expect([0, 1, 2, 3].map((i) => times(cut.keysRead[first + i]))).toEqual([1, 1, 2, 2]);
    expect(cut.keysRead).toHaveLength(whole.keysRead.length + 2);

    const found = async (w: typeof whole) => {
      const { Items = [] } = await w.documents.send(new ScanCommand({ TableName: w.tables.discrepancies }));
      return Items.map((item) => `${item.check}:${item.userId}:${item.asset}=${item.difference}`).sort();
    };
    expect(interrupted?.status).toBe(uninterrupted?.status);
    expect(interrupted?.discrepancies.total).toBe(uninterrupted?.discrepancies.total);
    expect(interrupted?.checks).toEqual(uninterrupted?.checks);
    expect(await found(cut)).toEqual(await found(whole));
    // …and they are exactly what the sandbox planted (no venue is mapped in this run).
    const planted = sandbox.book.manifest.planted.filter((plant) => !plant.check.startsWith('venue-'));
    expect(await found(cut)).toEqual(planted.map((plant) => `${plant.check}:${plant.userId}:${plant.asset}=${plant.difference}`).sort());
  });

  it('redoes the pages after an older checkpoint without changing the outcome (checkpoints every few seconds)', async () => {
    // No checkpoint within the shard: the killed worker's pages (its running totals already written) are all redone.
    const { uninterrupted, cut, interrupted, killed } = await wholeAndCut('redo', { shard: 0, page: 3 }, 60_000);
    expect(killed).toBe(true);
    // The shard's second request (from the last key of its first page) was made again.
    const second = cut.keysRead.find((key) => key !== '-#1') as string;
    expect(cut.keysRead.filter((key) => key === second)).toHaveLength(2);
    expect(interrupted?.checks).toEqual(uninterrupted?.checks);
    expect(interrupted?.discrepancies.total).toBe(uninterrupted?.discrepancies.total);
    expect(interrupted?.history?.rows).toBeLessThanOrEqual((uninterrupted?.history?.rows ?? 0) * 2);
  });
});
