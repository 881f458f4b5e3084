import type { SourceHealth } from './run-summary';

/** What the store remembers of a source between runs, to alert on changes only. */
export interface StoredSourceState {
  status: 'ok' | 'failing';
  /** Unknown fields already reported, as `endpoint: field`. */
  drift: string[];
  since: string;
}

/** The alert a source's health calls for in this run, if any. */
export type SourceAlert = 'unhealthy' | 'drifted' | 'recovered';

/**
 * Compares a source's health in this run with what the last runs left: a source that starts
 * failing, starts sending unknown fields (new ones), or recovers is worth one message; a source
 * still failing, or still drifting the same way, is not — the on-call engineer already knows.
 *
 * @example
 * sourceTransition({ status: 'ok', drift: [], since }, { status: 'degraded', failures: 2 }, at).alert // 'unhealthy'
 */
export function sourceTransition(
  previous: StoredSourceState | undefined,
  current: SourceHealth,
  at: string,
): { alert: SourceAlert | undefined; next: StoredSourceState } {
  const failing = current.failures > 0;
  const drift = (current.drift ?? []).flatMap(({ endpoint, fields }) => fields.map((field) => `${endpoint}: ${field}`)).sort();
  const known = new Set(previous?.drift ?? []);
  const newDrift = drift.some((entry) => !known.has(entry));
  const wasFailing = previous?.status === 'failing';
  const next: StoredSourceState = {
    status: failing ? 'failing' : 'ok',
    drift: [...new Set([...(previous?.drift ?? []), ...drift])].sort(),
    since: failing === wasFailing && previous ? previous.since : at,
  };
  if (failing && !wasFailing) return { alert: 'unhealthy', next };
  if (!failing && wasFailing) return { alert: 'recovered', next: { ...next, drift } };
  if (newDrift) return { alert: 'drifted', next };
  return { alert: undefined, next };
}
