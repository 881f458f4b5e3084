import { LockLostError } from '../errors';
import type { RunWork, ShardControl } from '../ports/run';
import type { RunPlan } from '../ports/run-state';
import type { RunSummary } from '../ports/run-summary';
import { finalizeRun } from './final/finalize-run';
import { failedSummary } from './final/summarise';
import { claimed, fencedBy, lockRenewal, type ShardWorkerDeps } from './phases';
import { runShard } from './shard/run-shard';
import { emptyShardTally } from './shard-tally';

/**
 * One shard's work in a fanned-out or handed-over run (the shard worker function calls this): resumes
 * the shard from its checkpoint; hands the rest to a new invocation when time runs short; when it is
 * done, claims the next shard not yet started; and the last shard to finish finalises the run. Given
 * `{ runId, final: true }`, resumes a final phase that handed over.
 */
export async function reconcileShard(work: RunWork, deps: ShardWorkerDeps, control: ShardControl = {}): Promise<RunSummary | undefined> {
  // A warm container may have spent its allowance on an earlier shard or run, and followed its deadline.
  deps.hooks.retryBudget?.reset();
  deps.hooks.callDeadline?.follow(control.remainingMs);
  const plan = await deps.ports.runState.loadPlan(work.runId);
  if (!plan) throw new RangeError(`run ${work.runId} has no stored plan`);
  const fenced = fencedBy(deps, plan.runId);
  try {
    if ('final' in work) return await finishRun(plan, fenced, control, work.claim);
    return await shardWork(plan, work.shard, fenced, control);
  } catch (error) {
    if (!(error instanceof LockLostError)) throw error;
    // Another run holds the lock now: this one stops, writes nothing more, and says so (a retry would not change it).
    const failed = await failedSummary(plan, deps.ports.runState, deps.ports.clock, `failed: ${error.name}`);
    await deps.ports.runs.saveRun(failed);
    deps.ports.metrics?.runEnded(failed);
    return failed;
  }
}

/**
 * One shard from its checkpoint, claimed for this invocation (a delivery that finds it claimed under a
 * live lease does nothing), renewing the run lock as it starts and once a minute (a renewal refused is
 * {@link LockLostError}: the shard stops before its next write, not marked done); then the next shard is
 * claimed and, when this was the last to finish, the final phase. A shard already done is not redone.
 */
async function shardWork(plan: RunPlan, shard: number, deps: ShardWorkerDeps, control: ShardControl): Promise<RunSummary | undefined> {
  const runId = plan.runId;
  if (!(await deps.ports.runState.loadTally(runId, shard))?.done) {
    const finished = await claimed(deps, { runId, phase: shard }, control, async (release) => {
      const lock = lockRenewal(runId, deps);
      await lock.renew();
      const afterPage = async (page: number) => {
        await lock.renew();
        await control.afterPage?.(page);
      };
      const { finished } = await runShard(plan, shard, deps, { ...control, afterPage });
      if (finished) return true;
      // The rest of the shard goes on in a fresh invocation: the claim is given up for it.
      await release();
      await deps.ports.invoker.invoke({ runId, shard });
      return false;
    });
    if (!finished) return undefined;
  }
  const next = await deps.ports.runState.claimShard(runId, plan.shards.length);
  if (next !== undefined) await deps.ports.invoker.invoke({ runId, shard: next });
  const done = await deps.ports.runState.shardDone(runId, shard);
  if (done < plan.shards.length) return undefined;
  return finishRun(plan, deps, control);
}

/**
 * The final phase of a fanned-out or handed-over run, in a shard worker invocation, claimed first
 * (`claim`: the token handed over, or a new one): a delivery that finds it claimed under a live lease,
 * or done, does nothing. It takes the run lock again (the phase may outlast the last renewal), merges
 * the shards' checkpoints and finalises the run, resuming from the phase's checkpoint; when time runs
 * short it hands the rest of the phase and its claim to a fresh invocation and keeps the lock.
 */
async function finishRun(plan: RunPlan, deps: ShardWorkerDeps, control: ShardControl, claim?: string): Promise<RunSummary | undefined> {
  const runId = plan.runId;
  return claimed(deps, { runId, phase: 'final', claim }, control, async (_, token) => {
    let handedOver = false;
    try {
      if (!(await deps.ports.runs.acquireLock(runId, deps.settings.lockTtlMs, deps.ports.clock.now()))) throw new LockLostError(runId);
      const tallies = await Promise.all(plan.shards.map((_, shard) => deps.ports.runState.loadTally(runId, shard)));
      const summary = await finalizeRun(
        plan,
        tallies.map((tally, shard) => tally ?? emptyShardTally(plan.shards[shard]?.firstPage ?? 1)),
        deps,
        undefined,
        { runState: deps.ports.runState, invoker: deps.ports.invoker, control },
      );
      if (summary) {
        await deps.ports.runState.finalDone(runId, token);
        return summary;
      }
      await deps.ports.invoker.invoke({ runId, final: true, claim: token });
      handedOver = true;
      return undefined;
    } finally {
      if (!handedOver) await deps.ports.runs.releaseLock(runId);
    }
  });
}
