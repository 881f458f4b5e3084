import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reconcile } from '../../lib/runs/reconcile';
import { type RunningSandbox, startSandbox } from '../../sandbox/server';
import { runDeps } from '../support/run-deps';
import { drain, shardedWiring } from '../support/sharded-run';

let sandbox: RunningSandbox;

beforeAll(async () => {
  sandbox = await startSandbox({ port: 0, users: 120, seed: 23 });
});
afterAll(async () => {
  await sandbox.close();
});

describe('running totals of a sharded run (sandbox over HTTP, DynamoDB Local)', () => {
  it('a second run over an unchanged book reads every user of every shard from the totals the first stored', async () => {
    const w = await shardedWiring(sandbox);
    const run = async (runId: string) => {
      await reconcile({ runId, trigger: { type: 'direct' }, asOf: new Date(sandbox.book.asOf) }, runDeps(w.deps));
      const summary = await drain(w);
      if (!summary) throw new Error(`run ${runId} gave no summary`);
      return summary;
    };
    const first = await run('totals-1');
    const second = await run('totals-2');
    // Three shards of 40 users, each listing answer after a shard's first repeating one user: a shard runs past the next one's first page number.
    expect(second.shards).toBeGreaterThanOrEqual(3);
    expect(first.history).toMatchObject({ incrementalUsers: 0, rebuild: false });
    expect(second.history?.incrementalUsers).toBe(second.users);
    expect(second.users).toBe(first.users);
    // Only the overlap and the fills of resting orders are read again, not whole histories.
    expect(second.history?.rows ?? 0).toBeLessThan((first.history?.rows ?? 0) / 4);
  }, 300_000);
});
