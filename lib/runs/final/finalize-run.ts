import { breakTotals } from '../../domain/break-totals';
import type { DiscrepancyState } from '../../domain/lifecycle';
import type { RunDeps } from '../../ports/run';
import type { RunPlan, RunStateStore, ShardTally } from '../../ports/run-state';
import type { RunSummary } from '../../ports/run-summary';
import type { SourceError } from '../../ports/source-error';
import { finalSlot, type Handover } from '../phases';
import { openRunContext, type RunContext } from '../run-context';
import { emptyShardTally, mergeTallies } from '../shard-tally';
import { alertRun } from './alert';
import { checkAssetTotals } from './asset-totals';
import { mergeShards } from './merge';
import { settlePhase } from './settle';
import { summarise } from './summarise';
import { readVenues, type VenuesRead } from './venues';

/**
 * Ends a run, step by step: merge the shards' tallies and health; the final checks (asset totals) and
 * the venues, settled into the phase's own tally; settle; summarise; alert (source-health changes and
 * the outbox) and store the summary. With `handover`, the phase resumes from its checkpoint and, when
 * time runs short during the venue reads, checkpoints what it settled and how far each venue got, and
 * answers `undefined`: the caller hands the rest over. `failure`: the plan failed (nothing to check).
 */
export async function finalizeRun(
  plan: RunPlan,
  tallies: ShardTally[],
  deps: RunDeps,
  failure?: SourceError,
  handover?: Handover,
  active?: Map<string, DiscrepancyState>,
): Promise<RunSummary | undefined> {
  const { merged, health } = mergeShards(plan, tallies, failure);
  // Checkpoints (a dry run keeps none): where a handed-over, taken-over or resumed phase starts from.
  const checkpoints = plan.dryRun ? undefined : (handover?.runState ?? deps.ports.runState);
  // What this phase settles is its own tally, checkpointed at a handover and merged with the shards' at the end.
  const phase = (checkpoints && !failure && (await checkpoints.loadTally(plan.runId, finalSlot(plan)))) || emptyShardTally(0);
  phase.rates = merged.rates;
  // The open discrepancies after the shards: the phase keeps the map up to date, so it holds the run's `breaks` at the end.
  const open = active ?? (await deps.ports.discrepancies.active());
  const context = await openRunContext(plan, phase, deps, open);
  let venues: VenuesRead | undefined;
  if (!failure) {
    // The asset totals once: a resumed phase has them already (its venue progress is set).
    if (!phase.venueProgress) await checkAssetTotals(plan, merged, context, deps.ports.reporting);
    venues = await readVenues(plan, context, deps, phase.venueProgress ?? {}, handover?.control);
    phase.venueProgress = venues.progress;
    // Checkpointed at a handover, and once the checks are over (before the alerts and the summary): a
    // delivery that takes over a killed phase resumes from here instead of checking again.
    if (checkpoints) await checkpoint(plan, phase, context, deps, checkpoints);
    if (checkpoints && !venues.finished && handover) return undefined;
  }
  health.merge(context.health.report());
  const finishedAt = deps.ports.clock.now().toISOString();
  await settlePhase(context.effects, health, deps.hooks);
  const summary = summarise(plan, mergeTallies([...tallies, phase]), health, {
    finishedAt,
    failed: failure !== undefined,
    venues: venues?.coverage,
    breaks: breakTotals(deps.settings.rootAsset, open.values()),
  });
  return store(plan, summary, deps);
}

/** Stores the final phase's tally (what it settled, its sources' health, its venue progress) in its slot. */
async function checkpoint(plan: RunPlan, phase: ShardTally, context: RunContext, deps: RunDeps, checkpoints: RunStateStore) {
  await settlePhase(context.effects, context.health, deps.hooks);
  phase.sources = context.health.report();
  await checkpoints.saveTally(plan.runId, finalSlot(plan), phase);
}

/** Stores the summary: a dry run's as it is; any other after its alerts went out (this run's alerts go out once everything that owes them is stored). */
async function store(plan: RunPlan, summary: RunSummary, deps: RunDeps): Promise<RunSummary> {
  if (plan.dryRun) {
    const dry = { ...summary, dryRun: true };
    await deps.ports.runs.saveRun(dry);
    return dry;
  }
  const stored = { ...summary, alerts: await alertRun(summary, deps) };
  await deps.ports.runs.saveRun(stored);
  deps.ports.metrics?.runEnded(stored);
  return stored;
}
