import type { SourceHealth } from '../ports/run-summary';
import type { StoredSourceState } from '../ports/store';

/** The alert a source's health calls for in this run, if any. */
export type SourceAlert = 'unhealthy' | 'drifted' | 'recovered';

/**
 * An endpoint name standing for "every endpoint": an old per-source record, or a failure that named
 * no endpoint. It clears only in a run in which the source answered without any failure.
 */
export const ALL_ENDPOINTS = '*';

/** The endpoints a stored state says are failing; an old per-source record that is `failing` reads as all of them. */
export function failingEndpointsOf(state: StoredSourceState | undefined): string[] {
  if (!state) return [];
  return state.failingEndpoints ?? (state.status === 'failing' ? [ALL_ENDPOINTS] : []);
}

/**
 * Compares a source's health in this run with what the last runs left, endpoint by endpoint: an
 * endpoint that failed stays failing until a run reads it successfully (one that is not read keeps
 * its state), and the source is recovered only once none is left failing. A source that starts
 * failing, starts sending unknown fields (new ones), or recovers is worth one message; a source
 * still failing, or still drifting the same way, is not — the on-call engineer already knows. When
 * the run's health does not list the endpoints that answered (a wiring without an endpoint log), a
 * run without failures counts as having read them all.
 *
 * @example
 * sourceTransition({ status: 'ok', drift: [], since }, { status: 'degraded', failures: 2, failingEndpoints: ['users/balances'] }, at).alert // 'unhealthy'
 * sourceTransition({ status: 'failing', drift: [], since, failingEndpoints: ['users/balances'] }, { status: 'ok', failures: 0, answeredEndpoints: ['users'] }, at).alert // undefined: still failing
 */
export function sourceTransition(
  previous: StoredSourceState | undefined,
  current: SourceHealth,
  at: string,
): { alert: SourceAlert | undefined; next: StoredSourceState } {
  const drift = (current.drift ?? []).flatMap(({ endpoint, fields }) => fields.map((field) => `${endpoint}: ${field}`)).sort();
  const known = new Set(previous?.drift ?? []);
  const newDrift = drift.some((entry) => !known.has(entry));
  const failingBefore = failingEndpointsOf(previous);
  const failingNow = failingAfter(failingBefore, current);
  const failing = failingNow.length > 0;
  const wasFailing = failingBefore.length > 0;
  const next: StoredSourceState = {
    status: failing ? 'failing' : 'ok',
    drift: [...new Set([...(previous?.drift ?? []), ...drift])].sort(),
    since: failing === wasFailing && previous ? previous.since : at,
    failingEndpoints: failingNow,
  };
  if (failing && !wasFailing) return { alert: 'unhealthy', next };
  if (!failing && wasFailing) return { alert: 'recovered', next: { ...next, drift } };
  if (newDrift) return { alert: 'drifted', next };
  return { alert: undefined, next };
}

/** The endpoints failing after this run: those that failed in it, and those failing before that it did not read successfully. */
function failingAfter(before: readonly string[], current: SourceHealth): string[] {
  const failedNow = new Set(current.failingEndpoints ?? (current.failures > 0 ? [ALL_ENDPOINTS] : []));
  const cleanRun = current.failures === 0;
  const answered = new Set(current.answeredEndpoints ?? []);
  const stillFailing = before.filter((endpoint) => {
    if (failedNow.has(endpoint)) return false;
    if (endpoint === ALL_ENDPOINTS || current.answeredEndpoints === undefined) return !cleanRun;
    return !answered.has(endpoint);
  });
  return [...new Set([...stillFailing, ...failedNow])].sort();
}
