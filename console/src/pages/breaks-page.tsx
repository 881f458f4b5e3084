import { useEffect, useState } from 'preact/hooks';
import { type BreakTotals, DISCREPANCY_STATUSES, SEVERITIES } from '../../../lib/api/schemas';
import { CHECK_IDS } from '../../../lib/domain/check-id';
import type { PageProps } from '../app';
import { SkeletonRows } from '../components/skeleton';
import { download } from '../download';
import { allBreaks, breaksCsv } from '../export-csv';
import { formatAmount, formatTime } from '../format';
import { useLoad } from '../hooks';
import { BREAK_FILTERS, type BreakFilter, filterOf, routeHash } from '../routes';
import { messageOf } from './sign-in';

const PAGE_SIZE = 25;

/** Breaks: totals per severity, filters, a page of breaks most severe first, paging by the API's cursor, the export. */
export function BreaksPage({ api, announce, filter }: PageProps & { filter: BreakFilter }) {
  const key = JSON.stringify(filter);
  // The cursors belong to the filter they were read under: a new filter starts at its first page in the same render,
  // so no request goes out with the last filter's cursor.
  const [paging, setPaging] = useState<{ key: string; cursors: (string | undefined)[] }>({ key, cursors: [undefined] });
  const cursors = paging.key === key ? paging.cursors : [undefined];
  const setCursors = (next: (string | undefined)[]) => setPaging({ key, cursors: next });
  const cursor = cursors[cursors.length - 1];
  const [page] = useLoad(() => api.discrepancies(filter, cursor, PAGE_SIZE), [key, cursor]);
  const [totals] = useLoad(() => api.totals(filter), [key]);
  useEffect(() => {
    if (page.state === 'done') announce(`${page.value.items.length} breaks shown`);
    if (page.state === 'failed') announce('');
  }, [page, announce]);
  const next = page.state === 'done' ? page.value.cursor : undefined;
  return (
    <>
      <h1>Breaks</h1>
      <Totals totals={totals.state === 'done' ? totals.value : undefined} loading={totals.state === 'loading'} />
      <Filters filter={filter} />
      {page.state === 'failed' && <p role="alert">{page.error.message}</p>}
      <div class="table-wrap">
        <table class="breaks" aria-busy={page.state === 'loading'}>
          <caption>Breaks</caption>
          <thead>
            <tr>
              <th scope="col">Id</th>
              <th scope="col">Severity</th>
              <th scope="col">Status</th>
              <th scope="col">User</th>
              <th scope="col">Asset</th>
              <th scope="col" class="num">
                Difference
              </th>
              <th scope="col">Last seen</th>
              <th scope="col">Assigned to</th>
            </tr>
          </thead>
          <tbody>
            {page.state === 'loading' && <SkeletonRows rows={10} columns={8} />}
            {page.state === 'done' &&
              page.value.items.map((item) => (
                <tr key={item.id}>
                  <td class="clip" title={item.id}>
                    <a href={routeHash({ page: 'break', id: item.id })}>{item.id}</a>
                  </td>
                  <td>
                    <span class={`severity ${item.severity}`}>{item.severity}</span>
                  </td>
                  <td>{item.status}</td>
                  <td class="clip" title={item.userId}>
                    {item.userId}
                  </td>
                  <td>{item.asset}</td>
                  <td class="num">{formatAmount(item.difference)}</td>
                  <td>{formatTime(item.lastSeenAt)}</td>
                  <td>{item.assignedTo ?? ''}</td>
                </tr>
              ))}
            {page.state === 'done' && page.value.items.length === 0 && (
              <tr>
                <td colSpan={8}>No break matches these filters.</td>
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
        <ExportButton {...{ api, announce, filter }} />
      </div>
    </>
  );
}

function ExportButton({ api, announce, filter }: Pick<PageProps, 'api' | 'announce'> & { filter: BreakFilter }) {
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState('');
  const exportAll = async () => {
    setBusy(true);
    setProblem('');
    announce('Exporting every page of these breaks…');
    try {
      const items = await allBreaks(api, filter);
      download('breaks.csv', breaksCsv(items));
      announce(`Exported ${items.length} breaks to breaks.csv`);
    } catch (error) {
      setProblem(`The export failed: ${messageOf(error)}`);
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      <button type="button" onClick={exportAll} disabled={busy}>
        Export CSV
      </button>
      {problem && <p role="alert">{problem}</p>}
    </>
  );
}

/** One entry per severity, most severe first: how many breaks are open or acknowledged, and their value in the root asset. */
function Totals({ totals, loading }: { totals: BreakTotals | undefined; loading: boolean }) {
  return (
    <section aria-label="Totals" class="totals">
      {[...SEVERITIES].reverse().map((severity) => {
        const group = totals?.bySeverity[severity];
        return (
          <div class={`total ${severity}`} key={severity}>
            <span class="label">{severity}</span>
            <span class="count">{loading ? '…' : totals ? breaksCount(group?.count ?? 0) : '—'}</span>
            <span class="value">
              {loading ? '…' : totals ? `${formatAmount(group?.value ?? '0')} ${totals.rootAsset}` : 'totals unavailable'}
            </span>
          </div>
        );
      })}
    </section>
  );
}

function Filters({ filter }: { filter: BreakFilter }) {
  const apply = (event: Event) => {
    event.preventDefault();
    if (!(event.currentTarget instanceof HTMLFormElement)) return;
    const data = new FormData(event.currentTarget);
    const params = new URLSearchParams();
    for (const name of BREAK_FILTERS) params.set(name, String(data.get(name) ?? ''));
    location.hash = routeHash({ page: 'breaks', filter: filterOf(params) });
  };
  return (
    <form class="filters" onSubmit={apply} aria-label="Filters" key={JSON.stringify(filter)}>
      <Choice name="status" label="Status" options={DISCREPANCY_STATUSES} value={filter.status} />
      <Choice name="severity" label="Severity" options={SEVERITIES} value={filter.severity} />
      <Choice name="check" label="Check" options={CHECK_IDS} value={filter.check} />
      <label>
        Asset
        <input name="asset" defaultValue={filter.asset ?? ''} />
      </label>
      <label>
        User
        <input name="user" defaultValue={filter.user ?? ''} />
      </label>
      <button type="submit">Apply filters</button>
    </form>
  );
}

function Choice({ name, label, options, value }: { name: string; label: string; options: readonly string[]; value: string | undefined }) {
  return (
    <label>
      {label}
      <select name={name} defaultValue={value ?? ''}>
        <option value="">any</option>
        {options.map((option) => (
          <option key={option} value={option}>
            {option}
          </option>
        ))}
      </select>
    </label>
  );
}

/** "1 break", "3 breaks". */
function breaksCount(count: number): string {
  return `${count} break${count === 1 ? '' : 's'}`;
}
