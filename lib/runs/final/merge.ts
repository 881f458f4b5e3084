import type { RunPlan, ShardTally } from '../../ports/run-state';
import { SourceError } from '../../ports/source-error';
import { mergeTallies } from '../shard-tally';
import { SourceHealthTracker } from '../source-health';

/** What the shards left to the final phase: their tallies merged, and the sources' health they saw. */
export interface MergedShards {
  merged: ShardTally;
  health: SourceHealthTracker;
}

/**
 * The final phase's first step: merges the shards' tallies and their sources' health, with the
 * plan's failure (`failure`: the listing or the assets could not be read) or Reporting used, and the
 * user listing marked failed when it came short or out of order during the run.
 */
export function mergeShards(plan: RunPlan, tallies: readonly ShardTally[], failure?: SourceError): MergedShards {
  const merged = mergeTallies(tallies);
  const health = SourceHealthTracker.from(merged.sources);
  if (failure) health.failed(failure.source, failure, true);
  else health.used('reporting');
  health.answeredAll(plan.answered);
  if (merged.listingMoved.length > 0) {
    // The server skipped users or served them out of order (users signing up or deleted are no fault): some may be unchecked.
    health.failed(
      'reporting',
      new SourceError(
        'reporting',
        'users',
        'inconsistent-paging',
        `the user listing came short or out of order during the run; some users may be unchecked: ${merged.listingMoved.join('; ')}`,
      ),
    );
  }
  return { merged, health };
}
