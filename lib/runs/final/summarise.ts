import type { Clock } from '../../ports/clock';
import type { RunPlan, RunStateStore, ShardTally } from '../../ports/run-state';
import type { RunSummary } from '../../ports/run-summary';
import type { RunStart } from '../../ports/store';
import { finalSlot } from '../phases';
import { emptyShardTally, mergeTallies, summaryCounts } from '../shard-tally';
import type { SourceHealthTracker } from '../source-health';

/** How a run ended, beyond its counts: when, whether its plan failed, and the venues' coverage when they were all read. */
export interface RunEnd {
  finishedAt: string;
  failed: boolean;
  venues?: RunSummary['venues'];
  /** The open and acknowledged breaks after the run. */
  breaks?: RunSummary['breaks'];
}

/**
 * The summary of a run that reached its final phase, from every tally (the shards' and the phase's)
 * and the sources' health: `failed` when its plan failed and it counted nobody, `partial` when a source failed.
 */
export function summarise(plan: RunPlan, all: ShardTally, health: SourceHealthTracker, end: RunEnd): RunSummary {
  const sources = health.report();
  return {
    runId: plan.runId,
    trigger: plan.trigger,
    asOf: plan.asOf,
    startedAt: plan.startedAt,
    finishedAt: end.finishedAt,
    status: runStatus(all.users, end.failed, health.anyFailed),
    ...(plan.scope && { scope: plan.scope }),
    ...summaryCounts(all),
    sources,
    ...(end.venues && { venues: end.venues }),
    ...(end.breaks && { breaks: end.breaks }),
    ...(all.unchecked && { unchecked: all.unchecked }),
    shards: Math.max(plan.shards.length, 1),
    history: { rows: all.historyRows, incrementalUsers: all.incrementalUsers, rebuild: plan.rebuild },
    outsideTotals: Object.fromEntries(
      Object.entries(all.outsideSums).map(([asset, sum]) => [asset, { users: sum.users, amount: sum.total }]),
    ),
  };
}

/**
 * A finished run's status: `failed` when its plan failed and it counted no user, else `partial` when
 * a source failed, else `complete`.
 *
 * @example
 * runStatus(0, true, true) // 'failed'
 * runStatus(2, false, true) // 'partial'
 */
export function runStatus(users: number, planFailed: boolean, anySourceFailed: boolean): 'complete' | 'partial' | 'failed' {
  if (users === 0 && planFailed) return 'failed';
  return anySourceFailed ? 'partial' : 'complete';
}

/** A summary with nothing counted: a run skipped, failed before it planned, or handed to its shards. */
export function nothingYet(run: RunStart, status: RunSummary['status'], reason?: string): RunSummary {
  return {
    runId: run.runId,
    trigger: run.trigger,
    asOf: run.asOf,
    startedAt: run.startedAt,
    finishedAt: run.startedAt,
    status,
    ...(reason && { reason }),
    ...summaryCounts(emptyShardTally(0)),
    sources: {},
  };
}

/**
 * The `failed` summary of a planned run: what its checkpoints hold (the shards' and the final phase's),
 * so its users, positions and discrepancies are those it counted and recorded before it failed.
 */
export async function failedSummary(plan: RunPlan, runState: RunStateStore, clock: Clock, reason: string): Promise<RunSummary> {
  const slots = [...plan.shards.keys(), finalSlot(plan)];
  const tallies = await Promise.all(slots.map((slot) => runState.loadTally(plan.runId, slot).catch(() => undefined)));
  const all = mergeTallies(tallies.filter((tally) => tally !== undefined));
  return {
    ...nothingYet(plan, 'failed', reason),
    ...summaryCounts(all),
    shards: Math.max(plan.shards.length, 1),
    finishedAt: clock.now().toISOString(),
  };
}
