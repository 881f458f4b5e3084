import type { RunHooks } from '../../ports/run';
import type { RunEffects } from '../run-effects';
import type { SourceHealthTracker } from '../source-health';

/**
 * Settles what the final phase wrote (what it found matching — asset totals, venues — is resolved like
 * a page's matches) and notes into `health` the drift and the endpoints the upstream clients saw meanwhile.
 */
export async function settlePhase(effects: RunEffects, health: SourceHealthTracker, hooks: RunHooks): Promise<void> {
  await effects.settle();
  for (const report of hooks.drift?.drain() ?? []) health.drifted(report);
  health.answeredAll(hooks.endpoints?.drain());
}
