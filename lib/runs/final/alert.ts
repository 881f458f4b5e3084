import { sourceAlert } from '../../policy/owed-alert';
import type { IdentifiedAlert } from '../../ports/alerts';
import type { RunDeps } from '../../ports/run';
import type { RunSummary, SourceHealth } from '../../ports/run-summary';
import type { StoredSourceState } from '../../ports/store';
import type { SourceName } from '../../ports/upstream';
import { drainOutbox } from '../drain-outbox';
import { failingEndpointsOf, type SourceAlert, sourceTransition } from '../source-transitions';

/**
 * The run's alert step: stores each source's health where it changed, with the alert the change owes,
 * then publishes what the outbox owes (this run's alerts and any still owed); answers what the drain did.
 */
export async function alertRun(summary: RunSummary, deps: RunDeps): Promise<NonNullable<RunSummary['alerts']>> {
  await saveSourceHealth(summary.sources, summary.runId, summary.finishedAt, deps);
  const drained = await drain(deps, summary.runId);
  return { published: drained.published, owed: drained.owed };
}

/** Publishes what the outbox owes, as `holder` (the run), with the run's storm threshold. */
export function drain(deps: RunDeps, holder: string) {
  return drainOutbox(deps.ports.outbox, deps.ports.alerts, {
    holder,
    clock: deps.ports.clock,
    stormThreshold: deps.settings.stormThreshold,
  });
}

/**
 * Stores each source's health where it changed (or was never stored), with the alert the change owes
 * (unhealthy, drifted, recovered) in the same write.
 */
async function saveSourceHealth(sources: RunSummary['sources'], runId: string, at: string, deps: RunDeps): Promise<void> {
  const remembered = await deps.ports.sourceStates.sourceStates();
  for (const [name, entry] of Object.entries(sources) as [SourceName, SourceHealth][]) {
    const previous = remembered[name];
    const transition = sourceTransition(previous, entry, at);
    const owed = sourceHealthAlert({ source: name, runId, at }, previous, entry, transition);
    if (transition.alert || !previous) await deps.ports.sourceStates.saveSourceState(name, transition.next, owed);
  }
}

/**
 * The alert a source's health change owes, if any: a problem (unhealthy or drifted) with its failures,
 * first error, drift and the endpoints failing after the run; or a recovery naming since when the source
 * was failing and the endpoints that were.
 *
 * @example
 * sourceHealthAlert({ source: 'backoffice', runId: 'r1', at }, undefined, { status: 'degraded', failures: 2 }, sourceTransition(undefined, health, at))
 * // { alertId: 'source#backoffice#unhealthy#r1', … type: 'source-unhealthy' }
 */
export function sourceHealthAlert(
  of: { source: SourceName; runId: string; at: string },
  previous: StoredSourceState | undefined,
  entry: SourceHealth,
  transition: { alert: SourceAlert | undefined; next: StoredSourceState },
): IdentifiedAlert | undefined {
  const { source, runId, at } = of;
  if (transition.alert === 'recovered') {
    const recovery = { source, runId, failingSince: previous?.since ?? at, endpoints: failingEndpointsOf(previous) };
    return sourceAlert(source, runId, { type: 'source-recovered', recovery });
  }
  if (!transition.alert) return undefined;
  return sourceAlert(source, runId, {
    type: 'source-unhealthy',
    problem: {
      source,
      runId,
      failures: entry.failures,
      firstError: entry.firstError ?? '',
      drift: entry.drift ?? [],
      endpoints: transition.next.failingEndpoints ?? [],
    },
  });
}
