import { inProgress, type RunState, type RunSummaryAnswer, SEVERITIES, SOURCE_NAMES } from '../../lib/api/schemas';
import { CHECK_IDS } from '../../lib/domain/check-id';
import { chartCoordinate } from './format';

/** One line of a chart: its name, a coordinate per run (null where the run has none), and the exact text of each. */
export interface TrendSeries {
  name: string;
  values: (number | null)[];
  texts: string[];
}

/** The trends of the last runs: each run's finish time (seconds, uPlot's x) and the series of each chart. */
export interface Trends {
  times: number[];
  openBySeverity: TrendSeries[];
  valueBySeverity: TrendSeries[];
  openByCheck: TrendSeries[];
  sourceHealth: TrendSeries[];
}

/** A source's status as a level a chart can draw: ok 0, degraded 1, unavailable 2. */
export const HEALTH_LEVELS: Readonly<Record<string, number>> = { ok: 0, degraded: 1, unavailable: 2 };

/**
 * The trends of finished runs that carry their `breaks` (open and acknowledged breaks after the run),
 * oldest first: open breaks and their value per severity, open breaks per check, and each source's health.
 * Dry runs are left out: they record nothing, so their totals are not the book's.
 */
export function trendsOf(runs: readonly RunState[]): Trends {
  const finished = runs
    .filter((run): run is RunSummaryAnswer => !inProgress(run) && run.breaks !== undefined && !run.dryRun)
    .sort((a, b) => a.finishedAt.localeCompare(b.finishedAt));
  const group = (pick: (run: RunSummaryAnswer) => { count: number; value: string } | undefined, by: 'count' | 'value') =>
    finished.map((run) => {
      const found = pick(run);
      const text = found ? String(found[by]) : '0';
      return { value: by === 'count' ? (found?.count ?? 0) : chartCoordinate(text), text };
    });
  const series = (name: string, points: { value: number | null; text: string }[]): TrendSeries => ({
    name,
    values: points.map((point) => point.value),
    texts: points.map((point) => point.text),
  });
  const checks = [...new Set(finished.flatMap((run) => Object.keys(run.breaks?.byCheck ?? {})))].sort(
    (a, b) => order(CHECK_IDS, a) - order(CHECK_IDS, b),
  );
  return {
    times: finished.map((run) => Math.floor(Date.parse(run.finishedAt) / 1000)),
    openBySeverity: SEVERITIES.map((severity) =>
      series(
        severity,
        group((run) => run.breaks?.bySeverity[severity], 'count'),
      ),
    ),
    valueBySeverity: SEVERITIES.map((severity) =>
      series(
        severity,
        group((run) => run.breaks?.bySeverity[severity], 'value'),
      ),
    ),
    openByCheck: checks.map((check) =>
      series(
        check,
        group((run) => run.breaks?.byCheck[check], 'count'),
      ),
    ),
    sourceHealth: SOURCE_NAMES.map((source) =>
      series(
        source,
        finished.map((run) => {
          const status = run.sources[source]?.status;
          return { value: status === undefined ? null : (HEALTH_LEVELS[status] ?? null), text: status ?? 'not read' };
        }),
      ),
    ),
  };
}

function order(known: readonly string[], key: string): number {
  const at = known.indexOf(key);
  return at === -1 ? known.length : at;
}
