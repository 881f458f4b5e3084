import type { DiscrepancyState } from '../domain/lifecycle';
import { Precision } from '../domain/precision';
import { CircuitBreaker } from '../policy/circuit-breaker';
import type { RunDeps } from '../ports/run';
import type { RunPlan, ShardTally } from '../ports/run-state';
import { RunEffects } from './run-effects';
import { SourceHealthTracker } from './source-health';
import { VerdictSink } from './verdict-sink';

/** What a shard or the run's final phase works with, opened once per invocation over its own tally. */
export interface RunContext {
  /** The assets' scales (from the plan) and the configured tolerances. */
  precision: Precision;
  /** The sources' health as this phase saw it, starting from its checkpoint. */
  health: SourceHealthTracker;
  /** Stops calling a source after a few failures in a row. */
  breaker: CircuitBreaker;
  /** The lifecycle writes of this phase (and the alerts they owe). */
  effects: RunEffects;
  /** Where this phase's verdicts go: counted into its tally and handed to `effects`. */
  sink: VerdictSink;
}

/**
 * Opens a phase of a run (a shard, or the final phase) over its tally: `active` is the open and
 * acknowledged discrepancies when this process loaded them once for every phase it runs (left out,
 * the phase loads them).
 */
export async function openRunContext(
  plan: RunPlan,
  tally: ShardTally,
  deps: RunDeps,
  active?: Map<string, DiscrepancyState>,
): Promise<RunContext> {
  const { settings, ports } = deps;
  const effects = await RunEffects.start(
    ports.discrepancies,
    plan.runId,
    { alertAfterRuns: settings.alertAfterRuns, dryRun: plan.dryRun, startedAt: plan.startedAt, clock: ports.clock },
    tally.effects,
    active,
  );
  return {
    precision: new Precision(new Map(plan.assets.map((asset) => [asset.assetId, asset.scale])), settings.tolerances),
    health: SourceHealthTracker.from(tally.sources),
    breaker: new CircuitBreaker(settings.breakerThreshold),
    effects,
    sink: new VerdictSink(plan, tally, effects, settings),
  };
}
