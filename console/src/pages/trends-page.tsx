import { useEffect, useMemo } from 'preact/hooks';
import type { RunState } from '../../../lib/api/schemas';
import type { ApiClient } from '../api-client';
import type { PageProps } from '../app';
import { Chart } from '../components/chart';
import { useLoad } from '../hooks';
import { trendsOf } from '../trends';

/** How many of the latest runs the trends cover. */
const RUNS_SHOWN = 60;

/** The latest runs, newest first, up to {@link RUNS_SHOWN}. */
async function latestRuns(api: ApiClient): Promise<RunState[]> {
  const runs: RunState[] = [];
  let cursor: string | undefined;
  do {
    const page = await api.runs(cursor, 30);
    runs.push(...page.items);
    cursor = page.cursor;
  } while (cursor && runs.length < RUNS_SHOWN);
  return runs.slice(0, RUNS_SHOWN);
}

/** Trends over the last runs: open breaks and their value per severity, open breaks per check, source health. */
export function TrendsPage({ api, announce }: PageProps) {
  const [runs] = useLoad(() => latestRuns(api), []);
  const trends = useMemo(() => trendsOf(runs.state === 'done' ? runs.value : []), [runs]);
  useEffect(() => {
    if (runs.state === 'done') announce(`Trends of ${trends.times.length} runs`);
  }, [runs, trends, announce]);
  return (
    <>
      <h1>Trends</h1>
      {runs.state === 'failed' && <p role="alert">{runs.error.message}</p>}
      <p class="hint">Open and acknowledged breaks after each finished run (dry runs left out), oldest on the left; times in UTC.</p>
      <div class="charts" aria-busy={runs.state === 'loading'}>
        <Chart label="Open breaks by severity" times={trends.times} series={trends.openBySeverity} />
        <Chart label="Break value by severity" times={trends.times} series={trends.valueBySeverity} />
        <Chart label="Open breaks by check" times={trends.times} series={trends.openByCheck} />
        <Chart label="Source health" times={trends.times} series={trends.sourceHealth} />
      </div>
      <p class="hint">
        Source health: 0 ok, 1 degraded, 2 unavailable. Break value is in the root asset; the figures tables give it exactly.
      </p>
    </>
  );
}
