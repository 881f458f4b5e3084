import { describe, expect, it } from 'vitest';
import type { RunPlan, ShardTally } from '../../../../lib/ports/run-state';
import { InMemoryRunState } from '../../../../lib/runs/run-state-memory';
import { runShard, timeIsShort } from '../../../../lib/runs/shard/run-shard';
import { InMemoryStore, RecordingAlerts } from '../../../fakes/in-memory-ports';
import { runDeps } from '../../../support/run-deps';
import { AS_OF, backOfficeOf, type Faults, MemoryHistory, planOf, reportingOf } from './shard-book';

const USERS = 7;

class Killed extends Error {}

/** A shard's deps over the fake book, in memory, checkpointing after every page. */
function shardDeps(faults: Faults = {}) {
  const store = new InMemoryStore();
  const runState = new InMemoryRunState();
  const history = new MemoryHistory();
  const deps = runDeps({
    reporting: reportingOf(USERS, faults),
    backOffice: backOfficeOf(faults),
    store,
    outbox: store,
    alerts: new RecordingAlerts(),
    clock: { now: () => new Date(AS_OF) },
    runState,
    history,
    checkpointEveryMs: 0,
  });
  return { store, runState, history, deps };
}

/** What a shard's outcome is judged by: everything but the sources' health. */
const outcome = ({ sources: _, ...rest }: ShardTally) => rest;

describe('runShard', () => {
  const plan: RunPlan = planOf(USERS, 2);

  it('checks every user of its range, counts and sums them, stores the totals and ends done', async () => {
    const { deps, store, history, runState } = shardDeps({ mismatch: true });
    const { tally, finished } = await runShard(plan, 0, deps);
    expect(finished).toBe(true);
    expect(tally).toMatchObject({ done: true, users: USERS, positions: USERS, listed: USERS, assetSumsComplete: true });
    expect(tally.assetSums).toEqual({ btc: { total: '7', users: USERS } });
    expect(tally.checks['cross-source'].mismatch).toBe(1);
    expect(tally.discrepancies).toBeGreaterThan(0);
    expect([...store.discrepancies.values()].map((state) => state.userId)).toContain('u2');
    expect(history.chunks.size).toBeGreaterThan(0);
    expect(await runState.loadTally('r1', 0)).toEqual(tally);
  });

  it('resumed after a cut-off from its checkpoint, ends with the same tally as a run never cut', async () => {
    const uncut = await runShard(plan, 0, shardDeps({ mismatch: true }).deps);
    const { deps, store } = shardDeps({ mismatch: true });
    const kill = {
      afterPage: (page: number) => {
        if (page === 2) throw new Killed();
      },
    };
    await expect(runShard(plan, 0, deps, kill)).rejects.toBeInstanceOf(Killed);
    const resumed = await runShard(plan, 0, deps);
    expect(outcome(resumed.tally)).toEqual(outcome(uncut.tally));
    // The page redone after the cut-off wrote nothing twice: one discrepancy, opened once.
    expect(store.discrepancies.size).toBe(1);
    expect(store.history.filter((event) => event.type === 'opened')).toHaveLength(1);
  });

  it('stops at a page boundary when time is short, its checkpoint claiming only pages written', async () => {
    const { deps, runState } = shardDeps();
    const control = { remainingMs: () => 0, marginMs: 1 };
    expect(timeIsShort(control)).toBe(true);
    const { tally, finished } = await runShard(plan, 0, deps, control);
    expect(finished).toBe(false);
    expect(tally.done).toBe(false);
    expect(await runState.loadTally('r1', 0)).toMatchObject({ nextPage: 2, users: 2, done: false });
    const rest = await runShard(plan, 0, deps);
    expect(rest.tally).toMatchObject({ done: true, users: USERS });
  });

  it('leaves a done shard as it is, and refuses a shard the plan does not have', async () => {
    const { deps } = shardDeps();
    const first = await runShard(plan, 0, deps);
    expect((await runShard(plan, 0, deps)).tally).toEqual(first.tally);
    await expect(runShard(plan, 1, deps)).rejects.toBeInstanceOf(RangeError);
  });

  it('records nothing in a dry run', async () => {
    const { deps, runState, history, store } = shardDeps({ mismatch: true });
    const { tally } = await runShard({ ...plan, dryRun: true }, 0, deps);
    expect(tally.checks['cross-source'].mismatch).toBe(1);
    expect(await runState.loadTally('r1', 0)).toBeUndefined();
    expect(history.saves).toEqual([]);
    expect(store.discrepancies.size).toBe(0);
  });

  it('notes a listing that failed as a range unread: the sums incomplete, the shard done', async () => {
    const { deps } = shardDeps({ listingFrom: 2 });
    const { tally } = await runShard(plan, 0, deps);
    expect(tally).toMatchObject({ done: true, users: 2, assetSumsComplete: false, cursor: null });
    expect(tally.unchecked?.listing).toHaveLength(1);
  });
});
