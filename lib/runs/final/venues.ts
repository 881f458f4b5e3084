import type { RunDeps, ShardControl } from '../../ports/run';
import type { RunScope } from '../../ports/run-scope';
import type { RunPlan } from '../../ports/run-state';
import type { RunSummary } from '../../ports/run-summary';
import { SourceError } from '../../ports/source-error';
import type { VenuePorts, VenueProgress } from '../../ports/venues';
import { checkVenues } from '../check-venues';
import type { RunContext } from '../run-context';
import { timeIsShort } from '../shard/run-shard';

/** What the venue step did in this invocation: whether every venue phase is over, the coverage then, and where to resume. */
export interface VenuesRead {
  finished: boolean;
  coverage?: RunSummary['venues'];
  progress: VenueProgress;
}

/**
 * The venues of the run's scope, read from where an earlier invocation stopped (`resume`) until every
 * venue's phase is over or time runs short (`control`, given when the phase can be handed over), their
 * verdicts settled into the final phase's tally. A venue source that fails outright is noted in the
 * phase's health and ends the step (its accounts stay due).
 */
export async function readVenues(
  plan: RunPlan,
  context: RunContext,
  deps: RunDeps,
  resume: VenueProgress,
  control?: ShardControl,
): Promise<VenuesRead> {
  const { sink, health, precision, breaker } = context;
  const venues = deps.ports.venues && scopedVenues(deps.ports.venues, plan.scope);
  if (!venues) return { finished: true, progress: resume };
  try {
    const read = await checkVenues(
      venues,
      (userId) => breaker.call('reporting', () => deps.ports.reporting.userBalances(userId)),
      {
        log: deps.ports.venueLog,
        // A dry run records nothing; a run judging only some assets has not checked whole accounts.
        readOnly: plan.dryRun || plan.scope?.assets !== undefined,
        budgets: deps.settings.venueBudgets,
        windowSeconds: deps.settings.venueWindowSeconds,
        runSeconds: deps.settings.venueRunSeconds,
        clock: deps.ports.clock,
        resume,
        ...(control && { mustStop: () => timeIsShort(control) }),
      },
      precision,
      breaker,
      health,
    );
    await sink.settle(read.verdicts);
    return { finished: read.finished, coverage: read.coverage, progress: read.progress };
  } catch (error) {
    if (!(error instanceof SourceError)) throw error;
    health.failed(error.source, error, true);
    return { finished: true, progress: resume };
  }
}

/**
 * The venues a scope reads: those its `sources` name (all when it names none) whose check its
 * `checks` include (all when it names none), and only the accounts of its users.
 */
export function scopedVenues(venues: VenuePorts, scope: RunScope | undefined): VenuePorts | undefined {
  if (!scope) return venues;
  const wanted = (source: 'multimarkets' | 'indx') =>
    (!scope.sources || scope.sources.includes(source)) && (!scope.checks || scope.checks.includes(`venue-${source}`));
  const users = scope.users ? new Set(scope.users) : undefined;
  const mine = <T extends { userId: string }>(accounts: T[]) =>
    users ? accounts.filter((account) => users.has(account.userId)) : accounts;
  return {
    accounts: { multimarkets: mine(venues.accounts.multimarkets), indx: mine(venues.accounts.indx) },
    ...(wanted('multimarkets') && venues.multiMarkets ? { multiMarkets: venues.multiMarkets } : {}),
    ...(wanted('indx') && venues.indx ? { indx: venues.indx } : {}),
  };
}
