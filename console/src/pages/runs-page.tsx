import { useEffect, useState } from 'preact/hooks';
import { inProgress, type RunState } from '../../../lib/api/schemas';
import type { PageProps } from '../app';
import { SkeletonRows } from '../components/skeleton';
import { formatTime } from '../format';
import { useLoad } from '../hooks';
import { routeHash } from '../routes';
import { messageOf } from './sign-in';

/**
 * `Users` as the API's scope: comma or space separated, empty for everyone.
 * @example usersOf(' u1, u2 ,,') // ['u1', 'u2']
 */
export function usersOf(text: string): string[] {
  return text.split(/[\s,]+/).filter((user) => user !== '');
}

/** Runs: the latest runs newest first (paged by the API's cursor), and starting a run. */
export function RunsPage({ api, access, announce }: PageProps) {
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  const cursor = cursors[cursors.length - 1];
  const [page] = useLoad(() => api.runs(cursor), [cursor]);
  useEffect(() => {
    if (page.state === 'done') announce(`${page.value.items.length} runs shown`);
  }, [page, announce]);
  const next = page.state === 'done' ? page.value.cursor : undefined;
  return (
    <>
      <h1>Runs</h1>
      {access === 'act' && <StartRun api={api} announce={announce} />}
      {page.state === 'failed' && <p role="alert">{page.error.message}</p>}
      <div class="table-wrap">
        <table aria-busy={page.state === 'loading'}>
          <caption>Runs</caption>
          <thead>
            <tr>
              <th scope="col">Run</th>
              <th scope="col">Status</th>
              <th scope="col">Trigger</th>
              <th scope="col">Started</th>
              <th scope="col" class="num">
                Users
              </th>
              <th scope="col" class="num">
                Breaks found
              </th>
            </tr>
          </thead>
          <tbody>
            {page.state === 'loading' && <SkeletonRows rows={10} columns={6} />}
            {page.state === 'done' && page.value.items.map((run) => <RunRow key={run.runId} run={run} />)}
            {page.state === 'done' && page.value.items.length === 0 && (
              <tr>
                <td colSpan={6}>No run yet.</td>
              </tr>
            )}
          </tbody>
        </table>
      </div>
      <div class="pager">
        <button type="button" disabled={cursors.length === 1} onClick={() => setCursors(cursors.slice(0, -1))}>
          Previous page
        </button>
        <span>Page {cursors.length}</span>
        <button type="button" disabled={!next} onClick={() => next && setCursors([...cursors, next])}>
          Next page
        </button>
      </div>
    </>
  );
}

function RunRow({ run }: { run: RunState }) {
  const going = inProgress(run);
  return (
    <tr>
      <td>
        <a href={routeHash({ page: 'run', id: run.runId })}>{run.runId}</a>
      </td>
      <td>{going ? run.status : `${run.status}${run.dryRun ? ' (dry run)' : ''}`}</td>
      <td>{going ? '' : `${run.trigger.type}${run.trigger.by ? ` by ${run.trigger.by}` : ''}`}</td>
      <td>{going ? '' : formatTime(run.startedAt)}</td>
      <td class="num">{going ? (run.progress?.users ?? '') : run.users}</td>
      <td class="num">{going ? (run.progress?.discrepancies ?? '') : run.discrepancies.total}</td>
    </tr>
  );
}

function StartRun({ api, announce }: Pick<PageProps, 'api' | 'announce'>) {
  const [dryRun, setDryRun] = useState(false);
  const [users, setUsers] = useState('');
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState('');
  const start = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setProblem('');
    try {
      const scope = usersOf(users);
      const run = await api.startRun({ dryRun, ...(scope.length > 0 && { users: scope }) });
      announce(`Run ${run.runId} ${run.status}`);
      location.hash = routeHash({ page: 'run', id: run.runId });
    } catch (error) {
      setProblem(messageOf(error));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form class="panel" aria-label="Start a run" onSubmit={start}>
      <h2>Start a run</h2>
      <label class="inline">
        <input type="checkbox" checked={dryRun} onChange={(event) => setDryRun(event.currentTarget.checked)} /> Dry run
      </label>
      <label>
        Users
        <input value={users} placeholder="everyone" onInput={(event) => setUsers(event.currentTarget.value)} />
      </label>
      <p class="hint">Comma separated user ids; empty runs the whole book. A dry run records and alerts nothing.</p>
      <button type="submit" class="primary" disabled={busy}>
        Start run
      </button>
      {problem && <p role="alert">{problem}</p>}
    </form>
  );
}
