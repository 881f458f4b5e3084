import type { ComponentChildren } from 'preact';
import { useEffect } from 'preact/hooks';
import { inProgress, type RunInProgress, type RunSummaryAnswer, SOURCE_NAMES } from '../../../lib/api/schemas';
import { CHECK_IDS } from '../../../lib/domain/check-id';
import type { PageProps } from '../app';
import { formatAmount, formatTime } from '../format';
import { useLoad } from '../hooks';
import { routeHash } from '../routes';

/** How often a run in progress is asked for again. */
const POLL_MS = 2000;

/** A run: its progress while it runs (polled), then its summary per check and its sources' health. */
export function RunPage({ api, announce, id }: PageProps & { id: string }) {
  const [run, reload] = useLoad(() => api.run(id), [id]);
  const going = run.state === 'done' && inProgress(run.value);
  useEffect(() => {
    if (run.state === 'done') announce(`Status: ${run.value.status}`);
    if (!going) return;
    const timer = setTimeout(reload, POLL_MS);
    return () => clearTimeout(timer);
  }, [run, going, reload, announce]);
  return (
    <>
      <h1>Run {id}</h1>
      {run.state === 'loading' && <p>Loading…</p>}
      {run.state === 'failed' && <p role="alert">{run.error.message}</p>}
      {run.state === 'done' && (inProgress(run.value) ? <Progress run={run.value} /> : <Summary run={run.value} />)}
    </>
  );
}

function Progress({ run }: { run: RunInProgress }) {
  const total = run.progress?.totalUsers;
  const known = total !== undefined && total > 0 && run.progress !== undefined;
  const percent = known && run.progress ? Math.min(100, Math.floor((run.progress.users * 100) / total)) : undefined;
  return (
    <>
      <p>Status: {run.status}</p>
      <div
        class="progress"
        role="progressbar"
        aria-label="Run progress"
        aria-valuemin={0}
        aria-valuemax={100}
        {...(percent !== undefined && { 'aria-valuenow': percent })}
      >
        {/* A style object is set through the CSSOM, which the Content-Security-Policy allows (an inline style attribute it would not). */}
        <span class={percent === undefined ? 'fill' : 'fill known'} style={percent === undefined ? undefined : { width: `${percent}%` }} />
      </div>
      {run.progress && (
        <p>
          {run.progress.users} users, {run.progress.positions} positions, {run.progress.discrepancies} breaks so far
        </p>
      )}
    </>
  );
}

function Summary({ run }: { run: RunSummaryAnswer }) {
  const checks = Object.entries(run.checks).sort(([a], [b]) => rank(CHECK_IDS, a) - rank(CHECK_IDS, b));
  const sources = Object.entries(run.sources).sort(([a], [b]) => rank(SOURCE_NAMES, a) - rank(SOURCE_NAMES, b));
  return (
    <>
      <p>Status: {run.status}</p>
      <dl class="figures">
        <dt>Trigger</dt>
        <dd>{`${run.trigger.type}${run.trigger.by ? ` by ${run.trigger.by}` : ''}${run.dryRun ? ' (dry run)' : ''}`}</dd>
        <dt>As of</dt>
        <dd>{formatTime(run.asOf)}</dd>
        <dt>Started / finished</dt>
        <dd>{`${formatTime(run.startedAt)} / ${formatTime(run.finishedAt)}`}</dd>
        <dt>Covered</dt>
        <dd>{`${run.users} users, ${run.positions} positions`}</dd>
        <dt>Breaks</dt>
        <dd>{`${run.discrepancies.total} found, ${run.discrepancies.opened} opened`}</dd>
        {run.reason && (
          <>
            <dt>Reason</dt>
            <dd>{run.reason}</dd>
          </>
        )}
      </dl>
      <Table caption="Checks" head={['Check', 'Match', 'Mismatch', 'In flight', 'Unknown']}>
        {checks.map(([check, tally]) => (
          <tr key={check}>
            <th scope="row">{check}</th>
            <td class="num">{tally.match}</td>
            <td class="num">{tally.mismatch}</td>
            <td class="num">{tally['in-flight']}</td>
            <td class="num">{tally.unknown}</td>
          </tr>
        ))}
      </Table>
      <Table caption="Sources" head={['Source', 'Status', 'Failures', 'First error']}>
        {sources.map(([name, health]) => (
          <tr key={name}>
            <th scope="row">{name}</th>
            <td>{health?.status ?? 'not read'}</td>
            <td class="num">{health?.failures ?? ''}</td>
            <td>{health?.firstError ?? ''}</td>
          </tr>
        ))}
      </Table>
      {run.discrepancies.items.length > 0 && (
        <Table caption="Breaks found" head={['Break', 'Severity', 'Difference']}>
          {run.discrepancies.items.map((item) => (
            <tr key={item.id}>
              <td>
                <a href={routeHash({ page: 'break', id: item.id })}>{item.id}</a>
              </td>
              <td>{item.severity}</td>
              <td class="num">{formatAmount(item.difference)}</td>
            </tr>
          ))}
        </Table>
      )}
    </>
  );
}

function Table({ caption, head, children }: { caption: string; head: string[]; children: ComponentChildren }) {
  return (
    <div class="table-wrap">
      <table>
        <caption>{caption}</caption>
        <thead>
          <tr>
            {head.map((name, index) => (
              <th key={name} scope="col" class={index > 0 && caption === 'Checks' ? 'num' : undefined}>
                {name}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>{children}</tbody>
      </table>
    </div>
  );
}

function rank(order: readonly string[], key: string): number {
  const at = order.indexOf(key);
  return at === -1 ? order.length : at;
}
