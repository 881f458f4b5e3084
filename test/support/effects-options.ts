import type { Clock } from '../../lib/ports/clock';
import type { EffectsOptions } from '../../lib/runs/run-effects';

/**
 * The options tests give `RunEffects`: alert on the first run, a real run (not dry)
 * started at `startedAt` (by default when `negativeAvailable`'s findings were detected), writing at
 * `clock`'s time (by default the real time).
 */
export function effectsOptions(startedAt = '2026-11-22T00:00:00.000Z', clock: Clock = { now: () => new Date() }): EffectsOptions {
  return { alertAfterRuns: 1, dryRun: false, startedAt, clock };
}
