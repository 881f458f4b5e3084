import type { RunDeps, RunRequest, ShardControl } from '../ports/run';
import type { RunPlan, ShardTally } from '../ports/run-state';
import type { RunSummary } from '../ports/run-summary';
import type { RunStart } from '../ports/store';
import { drain } from './final/alert';
import { finalizeRun } from './final/finalize-run';
import { failedSummary, nothingYet } from './final/summarise';
import { fanOutShards, fencedBy, type Handover, handOverInline, withRunState } from './phases';
import { type Planned, planRun } from './plan';
import { runShard } from './shard/run-shard';

export { reconcileShard } from './shard-entry';

/** How often a running run's progress (users, positions, discrepancies so far) is stored for `GET /runs/{id}`. */
const PROGRESS_EVERY_MS = 2_000;

/** A run past its lock: its deps (`fenced`: its writes fenced by the lock) and this invocation's control. */
interface Coordinated {
  deps: RunDeps;
  fenced: ReturnType<typeof withRunState>;
  control: ShardControl;
}

/**
 * Reconciles every user of the book as of one time. The coordinator lists the assets and the size
 * of the user listing and plans shards (ranges of listing pages); each shard streams its pages —
 * balances and open orders per user, history from the running totals, back-office balances — runs
 * every check and records each mismatch, checkpointing every few seconds. The last shard to finish
 * runs the asset totals and the venues, sends the run's alerts and stores the summary. A source
 * that fails makes the checks that needed it `unknown` — never a discrepancy — and is reported in
 * the summary and by a source-health alert.
 *
 * With `deps.ports.invoker`, more than one shard and not a dry run, the shards run as separate invocations and
 * this returns the `running` summary at once; otherwise everything runs here — until `control` says time is
 * short: then (with the invoker and `deps.ports.runState`, not in a dry run) the shard or the final phase it is in
 * is checkpointed and handed to a fresh invocation, and this returns the `running` summary.
 */
export async function reconcile(request: RunRequest, deps: RunDeps, control: ShardControl = {}): Promise<RunSummary> {
  deps.hooks.callDeadline?.follow(control.remainingMs);
  const startedAt = deps.ports.clock.now();
  const run: RunStart = {
    runId: request.runId,
    trigger: request.trigger,
    asOf: (request.asOf ?? startedAt).toISOString(),
    startedAt: startedAt.toISOString(),
  };
  const dryRun = request.dryRun ?? false;
  const begun = await deps.ports.runs.beginRun(run);
  // The same run delivered again (a retry, a duplicate event, a double click) changes nothing.
  if (!begun.started) return begun.previous ?? nothingYet(run, 'skipped', 'this run is already in progress');
  // A dry run writes no discrepancy, so it needs no lock; every other run holds it while it writes.
  if (!dryRun && !(await deps.ports.runs.acquireLock(request.runId, deps.settings.lockTtlMs, startedAt))) return skipped(run, deps);
  const local = withRunState(deps);
  // Every write of the run is fenced by its lock: once another run took it, nothing more is written.
  const coordinated: Coordinated = { deps, fenced: dryRun ? local : fencedBy(local, run.runId), control };
  let plan: RunPlan | undefined;
  let handedOver = false;
  try {
    const planned = await planOrResume(request, run, coordinated);
    plan = planned.plan;
    const outcome = await proceed(run, planned, coordinated);
    handedOver = outcome.handedOver;
    return outcome.summary;
  } catch (error) {
    // Leave a final status behind, so `GET /runs/{id}` does not show the run running for ever, with what it counted.
    const reason = `failed: ${error instanceof Error ? error.name : 'unknown error'}`;
    const failed = plan ? await failedSummary(plan, local.ports.runState, deps.ports.clock, reason) : nothingYet(run, 'failed', reason);
    await deps.ports.runs.saveRun({ ...failed, finishedAt: deps.ports.clock.now().toISOString() }).catch(() => undefined);
    if (!dryRun) deps.ports.metrics?.runEnded(failed);
    throw error;
  } finally {
    if (!dryRun && !handedOver) await deps.ports.runs.releaseLock(request.runId);
  }
}

/** A run skipped because another holds the run lock: stored, naming the holder (a later delivery of this id runs: `beginRun` takes a `skipped` run over). */
async function skipped(run: RunStart, deps: RunDeps): Promise<RunSummary> {
  const holder = await deps.ports.runs.lockHolder();
  const summary = nothingYet(run, 'skipped', `another run holds the run lock${holder ? `: ${holder}` : ''}`);
  await deps.ports.runs.saveRun(summary);
  deps.ports.metrics?.runEnded(summary);
  return summary;
}

/**
 * Sends what earlier runs owe (SNS was down, a run failed or crashed) before this run's own work, then
 * plans the run — or, delivered again after it failed, resumes it from its stored plan and checkpoints.
 */
async function planOrResume(request: RunRequest, run: RunStart, { deps, fenced }: Coordinated): Promise<Planned & { resumed: boolean }> {
  const dryRun = request.dryRun ?? false;
  if (!dryRun) await drain(deps, request.runId);
  deps.hooks.retryBudget?.reset();
  deps.hooks.drift?.drain();
  deps.hooks.endpoints?.drain();
  const stored = dryRun ? undefined : await deps.ports.runState?.loadPlan(run.runId);
  if (stored) return { ok: true, plan: stored, resumed: true };
  const planned = await planRun(request, fenced, new Date(run.startedAt), new Date(run.asOf), dryRun);
  return { ...planned, resumed: false };
}

/**
 * A planned run goes on: a plan that failed is finalised at once (a `failed` run); with an invoker, more
 * than one shard and not a dry run, the shards fan out; otherwise they run here. `handedOver`: the run
 * goes on in other invocations, which hold the run lock now.
 */
async function proceed(
  run: RunStart,
  planned: Planned & { resumed: boolean },
  { deps, fenced, control }: Coordinated,
): Promise<{ summary: RunSummary; handedOver: boolean }> {
  const { plan, resumed } = planned;
  const running: RunSummary = { ...nothingYet(run, 'running'), shards: plan.shards.length };
  if (!planned.ok) return { summary: (await finalizeRun(plan, [], fenced, planned.error)) ?? running, handedOver: false };
  const { runState, invoker } = deps.ports;
  if (!plan.dryRun && runState && !resumed) await runState.savePlan(plan);
  if (invoker && plan.shards.length > 1 && !plan.dryRun) {
    await fanOutShards(plan, fenced.ports.runState, invoker, resumed ? plan.shards.length : (deps.settings.shards.concurrency ?? 1));
    return { summary: running, handedOver: true };
  }
  const handover = runState && invoker && !plan.dryRun ? { runState, invoker, control } : undefined;
  const summary = await runHere(plan, fenced, handover);
  return { summary: summary ?? running, handedOver: summary === undefined };
}

/**
 * Runs every shard of `plan` in this invocation, one after another, then the final phase. With a
 * `handover`, a shard or the final phase that runs short of time is checkpointed and handed to a
 * shard worker: then this answers `undefined` (the run goes on there, holding the run lock).
 */
async function runHere(plan: RunPlan, deps: RunDeps, handover: Handover | undefined): Promise<RunSummary | undefined> {
  const { runId, dryRun } = plan;
  const tallies: ShardTally[] = [];
  const local = withRunState(deps);
  // Loaded once: every shard run here (and the final phase) shares the one map.
  const active = dryRun ? undefined : await deps.ports.discrepancies.active();
  const progress = progressStore(plan, deps);
  for (let shard = 0; shard < plan.shards.length; shard++) {
    const done = tallies.reduce((sum, tally) => sum + tally.users, 0);
    const onProgress = (counts: { users: number; positions: number; discrepancies: number }) =>
      progress({ ...counts, users: done + counts.users });
    const { tally, finished } = await runShard(plan, shard, { ...local, hooks: { ...local.hooks, onProgress } }, handover?.control, active);
    if (!finished && handover) return handOverInline(plan, { runId, shard }, handover);
    tallies.push(tally);
  }
  const summary = await finalizeRun(plan, tallies, local, undefined, handover, active);
  if (summary || !handover) return summary;
  return handOverInline(plan, { runId, final: true }, handover);
}

/**
 * Where a run run here reports its progress: to the `onProgress` hook each page, and to the run registry
 * at most every few seconds (one write per page would cost as much as the page's findings; a dry run stores none).
 */
function progressStore(plan: RunPlan, deps: RunDeps): (progress: { users: number; positions: number; discrepancies: number }) => void {
  let storedAt = Number.NEGATIVE_INFINITY;
  return (progress) => {
    deps.hooks.onProgress?.(progress);
    const now = deps.ports.clock.now().getTime();
    if (plan.dryRun || !deps.ports.runs.progress || now - storedAt < PROGRESS_EVERY_MS) return;
    storedAt = now;
    void deps.ports.runs.progress(plan.runId, progress).catch(() => undefined);
  };
}
