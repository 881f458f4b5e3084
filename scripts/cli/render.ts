/**
 * Everything the CLI prints for a person, as pure functions of the API's answers: tables
 * (cli-table3, no colours, nothing truncated, every figure exactly as the API sent it), key =
 * value lines, RFC 4180 CSV and the progress line of a run.
 */
import Table from 'cli-table3';
import { recordsCsv } from '../../lib/api/csv';
import {
  type DiscrepancyAnswer,
  type DiscrepancyDetail,
  type LifecycleEventAnswer,
  type RunInProgress,
  type RunSummaryAnswer,
  SOURCE_NAMES,
} from '../../lib/api/schemas';
import { CHECK_IDS } from '../../lib/domain/check-id';

export { csvField, csvText, toCsv } from '../../lib/api/csv';

/** How many of a run's discrepancies `run` lists before "…and N more". */
export const RUN_ITEMS_SHOWN = 20;

/** A plain table: no colours (they would garble pipes and logs), numbers right-aligned where asked. */
export function renderTable(head: string[], rows: string[][], align: ('left' | 'right')[] = []): string {
  const table = new Table({
    head,
    style: { head: [], border: [], compact: true },
    colAligns: head.map((_, index) => align[index] ?? 'left'),
  });
  table.push(...rows);
  return table.toString();
}

/** A finished run: what it covered, each check's counts, each source's health, the discrepancies it found. */
export function renderRunSummary(summary: RunSummaryAnswer, shown = RUN_ITEMS_SHOWN): string {
  const seconds = (Date.parse(summary.finishedAt) - Date.parse(summary.startedAt)) / 1000;
  const lines = [
    `run ${summary.runId}: ${summary.status}${summary.dryRun ? ' (dry run: nothing recorded, nothing alerted)' : ''}`,
    `  as of ${summary.asOf}; ${summary.users} users, ${summary.positions} positions${Number.isFinite(seconds) ? `; ${seconds.toFixed(1)} s` : ''}`,
  ];
  if (summary.reason) lines.push(`  reason: ${summary.reason}`);
  lines.push('', renderCheckTallies(summary.checks));
  const sources = inOrder(Object.entries(summary.sources), SOURCE_NAMES).flatMap(([name, health]) => (health ? [{ name, ...health }] : []));
  if (sources.length > 0) {
    lines.push(
      '',
      renderTable(
        ['source', 'status', 'failures', 'first error', 'drift'],
        sources.map((source) => [
          source.name,
          source.status,
          String(source.failures),
          source.firstError ?? '',
          (source.drift ?? []).map((drift) => `${drift.endpoint}: ${drift.fields.join(', ')}`).join('\n'),
        ]),
        ['left', 'left', 'right'],
      ),
    );
  }
  const venues = renderVenueCoverage(summary.venues);
  if (venues) lines.push('', venues);
  const outside = renderOutsideTotals(summary.outsideTotals);
  if (outside) lines.push('', outside);
  const found = summary.discrepancies;
  const counts = [`${found.total} found`, `${found.opened} opened`];
  if (found.resolved !== undefined) counts.push(`${found.resolved} resolved`);
  if (found.escalated !== undefined) counts.push(`${found.escalated} escalated`);
  // Left for the next run because another writer kept changing them: worth a look only when there are some.
  if (found.skipped) counts.push(`${found.skipped} skipped (changed meanwhile, left for the next run)`);
  lines.push('', `discrepancies: ${counts.join(', ')}`);
  const items = found.items.slice(0, shown);
  if (items.length > 0) {
    lines.push(
      renderTable(
        ['id', 'field', 'expected', 'actual', 'difference', 'severity'],
        items.map((item) => [item.id, item.field, item.expected, item.actual, item.difference, item.severity]),
        ['left', 'left', 'right', 'right', 'right'],
      ),
    );
  }
  const more = Math.max(found.total, found.items.length) - items.length;
  if (more > 0) lines.push(`…and ${more} more (npm run recon -- list, or export --format csv)`);
  return lines.join('\n');
}

/** One row per rate-limited venue: accounts mapped, checked this run, overdue for the window, the oldest last check. */
function renderVenueCoverage(venues: RunSummaryAnswer['venues']): string | undefined {
  const rows = (['multimarkets', 'indx'] as const).flatMap((name) => {
    const coverage = venues?.[name];
    return coverage
      ? [
          [
            name,
            String(coverage.accounts),
            String(coverage.checked),
            String(coverage.overdue),
            `${coverage.window / 3600} h`,
            coverage.oldestCheckedAt ?? 'never',
          ],
        ]
      : [];
  });
  if (rows.length === 0) return undefined;
  return renderTable(['venue', 'accounts', 'checked', 'overdue', 'window', 'oldest check'], rows, [
    'left',
    'right',
    'right',
    'right',
    'right',
  ]);
}

/**
 * Per asset, the holdings of users whose roles the reporting totals leave out (Trader, User and
 * Market Maker are counted): information, not discrepancies.
 */
function renderOutsideTotals(outside: RunSummaryAnswer['outsideTotals']): string | undefined {
  const rows = Object.entries(outside ?? {}).map(([asset, { users, amount }]) => [asset, String(users), amount]);
  if (rows.length === 0) return undefined;
  return [
    'outside the reported totals (roles other than Trader, User, Market Maker; information, not discrepancies):',
    renderTable(['asset', 'users', 'amount'], rows, ['left', 'right', 'right']),
  ].join('\n');
}

/** One row per check: match, mismatch, in-flight, unknown, and a total row. */
export function renderCheckTallies(checks: RunSummaryAnswer['checks']): string {
  const outcomes = ['match', 'mismatch', 'in-flight', 'unknown'] as const;
  const rows = inOrder(Object.entries(checks), CHECK_IDS).map(([check, tally]) => [
    check,
    ...outcomes.map((outcome) => String(tally[outcome])),
  ]);
  const totals = outcomes.map((outcome) => String(Object.values(checks).reduce((sum, tally) => sum + tally[outcome], 0)));
  return renderTable(['check', ...outcomes], [...rows, ['total', ...totals]], ['left', 'right', 'right', 'right', 'right']);
}

/** The list of discrepancies, one row each. */
export function renderDiscrepancyList(items: readonly DiscrepancyAnswer[]): string {
  if (items.length === 0) return 'no discrepancy matches';
  return renderTable(
    ['id', 'check', 'user', 'asset', 'severity', 'difference', 'status', 'last seen'],
    items.map((item) => [item.id, item.check, item.userId, item.asset, item.severity, item.difference, item.status, item.lastSeenAt]),
    ['left', 'left', 'left', 'left', 'left', 'right'],
  );
}

/** One discrepancy: its figures and lifecycle, its evidence as `key = value` lines, its history. */
export function renderDiscrepancy({ discrepancy: item, history }: DiscrepancyDetail): string {
  const fields: [string, string | number | boolean | undefined][] = [
    ['id', item.id],
    ['status', item.status],
    ['severity', item.severity],
    ['check', item.check],
    ['user', item.userId],
    ['asset', item.asset],
    ['field', item.field],
    ['expected', item.expected],
    ['actual', item.actual],
    ['difference', item.difference],
    ['difference in root asset', item.differenceInRoot],
    ['largest difference', item.largestDifference],
    ['first seen', `${item.firstSeenAt} (run ${item.firstRunId})`],
    ['last seen', `${item.lastSeenAt} (run ${item.lastRunId})`],
    ['runs seen', `${item.runsSeen} (${item.consecutiveRuns} in a row)`],
    ['alerted', item.alerted ? 'yes' : 'no'],
    ['acknowledged', acted(item.acknowledgedBy, item.acknowledgedAt, item.acknowledgedNote)],
    ['resolved', acted(item.resolvedBy, item.resolvedAt, item.resolvedNote)],
  ];
  const evidence = Object.entries(item.evidence);
  return [
    renderFields(fields),
    '',
    'evidence',
    ...(evidence.length === 0 ? ['  (none)'] : evidence.map(([key, value]) => `  ${key} = ${value}`)),
    '',
    'history',
    renderHistory(history),
  ].join('\n');
}

/** A discrepancy's history, oldest first as the API sends it. */
export function renderHistory(history: readonly LifecycleEventAnswer[]): string {
  if (history.length === 0) return '  (no history)';
  return renderTable(
    ['at', 'event', 'by / run', 'difference', 'severity', 'note'],
    history.map((event) => [
      event.at,
      event.type,
      event.by ?? event.runId ?? '',
      event.difference ?? '',
      event.severity ?? '',
      event.note ?? '',
    ]),
    ['left', 'left', 'left', 'right'],
  );
}

/** What `ack` and `resolve` print once the API has recorded the action. */
export function renderActed(item: DiscrepancyAnswer): string {
  const by =
    item.status === 'resolved'
      ? acted(item.resolvedBy, item.resolvedAt, item.resolvedNote)
      : acted(item.acknowledgedBy, item.acknowledgedAt, item.acknowledgedNote);
  return `${item.id} is now ${item.status}${by ? `: ${by}` : ''}`;
}

/** Aligned `name   value` lines; empty values are left out. */
export function renderFields(fields: readonly [string, string | number | boolean | undefined][]): string {
  const present = fields.filter((field): field is [string, string | number | boolean] => field[1] !== undefined && field[1] !== '');
  const width = Math.max(...present.map(([name]) => name.length));
  return present.map(([name, value]) => `${name.padEnd(width)}  ${String(value)}`).join('\n');
}

/** Entries in the documented order of their keys (a stored map keeps none), unknown keys last by name. */
function inOrder<T>(entries: [string, T][], known: readonly string[]): [string, T][] {
  const rank = (key: string) => (known.includes(key) ? known.indexOf(key) : known.length);
  return [...entries].sort(([a], [b]) => rank(a) - rank(b) || a.localeCompare(b));
}

function acted(by: string | undefined, at: string | undefined, note: string | undefined): string | undefined {
  if (by === undefined && at === undefined) return undefined;
  return `by ${by ?? '?'} at ${at ?? '?'}${note ? ` — ${note}` : ''}`;
}

/** The columns of `export --format csv`, in order: the figures first, then the lifecycle. */
export const DISCREPANCY_CSV_COLUMNS = [
  'id',
  'check',
  'userId',
  'asset',
  'field',
  'expected',
  'actual',
  'difference',
  'differenceInRoot',
  'severity',
  'status',
  'firstSeenAt',
  'lastSeenAt',
  'firstRunId',
  'lastRunId',
  'runsSeen',
  'largestDifference',
  'acknowledgedBy',
  'acknowledgedAt',
  'acknowledgedNote',
  'resolvedBy',
  'resolvedAt',
  'resolvedNote',
] as const satisfies readonly (keyof DiscrepancyAnswer)[];

/** Discrepancies as CSV with a header row; an absent value is an empty field; text cells never start a formula. */
export function discrepanciesCsv(items: readonly DiscrepancyAnswer[]): string {
  return recordsCsv(DISCREPANCY_CSV_COLUMNS, items);
}

/**
 * The progress line of a run being waited for. Without a total of users the bar is
 * indeterminate: a block sweeping back and forth, moved by `frame`.
 * @example formatProgress({ runId: 'r-1', status: 'running', progress: { users: 12, positions: 40, discrepancies: 1 } }, 3000, 30)
 */
export function formatProgress(state: RunInProgress, elapsedMs: number, frame: number, width = 30): string {
  const progress = state.progress;
  const total = progress?.totalUsers;
  let bar: string;
  let done = '';
  if (progress && total !== undefined && total > 0) {
    const ratio = Math.min(progress.users / total, 1);
    const filled = Math.round(ratio * width);
    bar = '█'.repeat(filled) + '░'.repeat(width - filled);
    done = ` ${Math.floor(ratio * 100)}% | ${progress.users}/${total} users`;
  } else {
    const block = Math.max(3, Math.floor(width / 6));
    const span = width - block;
    const step = frame % (2 * span);
    const at = step <= span ? step : 2 * span - step;
    bar = '░'.repeat(at) + '█'.repeat(block) + '░'.repeat(span - at);
    if (progress) done = ` | ${progress.users} users`;
  }
  const counts = progress ? `, ${progress.positions} positions, ${progress.discrepancies} discrepancies` : '';
  return `run ${state.runId} ${state.status} ${bar}${done}${counts} | ${Math.floor(elapsedMs / 1000)} s`;
}
