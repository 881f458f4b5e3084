import { randomUUID } from 'node:crypto';
import { LockLostError } from '../errors';
import type { RunDeps, RunWork, ShardControl, ShardInvoker } from '../ports/run';
import type { RunPhase, RunPlan, RunStateStore } from '../ports/run-state';
import { InMemoryRunState } from './run-state-memory';

/** How a run goes on in a fresh invocation: where it checkpoints, who is invoked, and when this one must stop. */
export interface Handover {
  runState: RunStateStore;
  invoker: ShardInvoker;
  control: ShardControl;
}

/** The ports of a shard worker: a stored run state and an invoker to hand work to. */
export type ShardWorkerDeps = RunDeps & { ports: { runState: RunStateStore; invoker: ShardInvoker } };

/**
 * The same deps with the run's writes fenced by its lock: once another run took the lock, nothing more
 * is written (a dry run, which takes no lock, writes through the stores as they are).
 */
export function fencedBy<D extends RunDeps>(deps: D, runId: string): D {
  const now = () => deps.ports.clock.now();
  return {
    ...deps,
    ports: {
      ...deps.ports,
      discrepancies: deps.ports.discrepancies.fencedBy(runId, now),
      sourceStates: deps.ports.sourceStates.fencedBy(runId, now),
    },
  };
}

/** The deps with a run state: the given one, or (a single-invocation run) one in memory. */
export function withRunState(deps: RunDeps): RunDeps & { ports: { runState: RunStateStore } } {
  return { ...deps, ports: { ...deps.ports, runState: deps.ports.runState ?? new InMemoryRunState() } };
}

/** The final phase's checkpoint slot: after the shards' (its tally holds what the phase itself settled). */
export function finalSlot(plan: RunPlan): number {
  return plan.shards.length;
}

/**
 * Hands the first `count` shards of a fanned-out run to workers, claiming each (a run resumed after it
 * failed hands every shard again: those done finish at once, and the last to finish claims the final phase).
 */
export async function fanOutShards(plan: RunPlan, runState: RunStateStore, invoker: ShardInvoker, count: number): Promise<void> {
  const first = Math.min(count, plan.shards.length);
  for (let shard = 0; shard < first; shard++) {
    const claimed = await runState.claimShard(plan.runId, plan.shards.length);
    await invoker.invoke({ runId: plan.runId, shard: claimed ?? shard });
  }
}

/**
 * The run lock kept by a shard: `renew` takes it again at most once a minute (the first call always).
 * A renewal refused — another run took the lock, or it was released — is {@link LockLostError}.
 */
export function lockRenewal(runId: string, deps: ShardWorkerDeps): { renew(): Promise<void> } {
  const lockTtlMs = deps.settings.lockTtlMs;
  let renewedAt = Number.NEGATIVE_INFINITY;
  return {
    async renew() {
      const now = deps.ports.clock.now();
      if (now.getTime() - renewedAt < Math.min(60_000, lockTtlMs / 2)) return;
      if (!(await deps.ports.runs.renewLock(runId, lockTtlMs, now))) throw new LockLostError(runId);
      renewedAt = now.getTime();
    },
  };
}

/**
 * Runs `work` under a claim of one phase of a run, leased until this invocation's deadline (or the
 * lock's TTL without one); answers undefined without running it when another delivery holds the
 * phase. A `work` that throws gives the claim up first, so the next delivery takes the phase over.
 */
export async function claimed<T>(
  deps: ShardWorkerDeps,
  target: { runId: string; phase: RunPhase; claim?: string },
  control: ShardControl,
  work: (release: () => Promise<void>, claim: string) => Promise<T>,
): Promise<T | undefined> {
  const { runId, phase, claim = randomUUID() } = target;
  const now = deps.ports.clock.now().getTime();
  const leaseUntil = now + (control.remainingMs?.() ?? deps.settings.lockTtlMs);
  if (!(await deps.ports.runState.claimPhase(runId, phase, claim, leaseUntil, now))) return undefined;
  const release = () => deps.ports.runState.releasePhase(runId, phase, claim);
  try {
    return await work(release, claim);
  } catch (error) {
    await release().catch(() => undefined);
    throw error;
  }
}

/**
 * Hands a run that ran in its first invocation to a shard worker: stores the plan, claims the shards
 * up to the one handed over and counts those before it done (so no shard is started twice and the
 * handed-over work is the last to finish), then invokes the worker. The run lock stays held.
 */
export async function handOverInline(plan: RunPlan, work: RunWork, handover: Handover): Promise<undefined> {
  const { runState, invoker } = handover;
  const upTo = 'final' in work ? plan.shards.length : work.shard;
  await runState.savePlan(plan);
  for (let shard = 0; shard < Math.min(upTo + 1, plan.shards.length); shard++) await runState.claimShard(plan.runId, plan.shards.length);
  for (let shard = 0; shard < upTo; shard++) await runState.shardDone(plan.runId, shard);
  await invoker.invoke(work);
  return undefined;
}
