import { recordsCsv } from '../../lib/api/csv';
import type { DiscrepancyAnswer } from '../../lib/api/schemas';
import type { ApiClient } from './api-client';
import type { BreakFilter } from './routes';

/** The columns of the console's "Export CSV" (`breaks.csv`), in order. */
export const BREAK_CSV_COLUMNS = [
  'id',
  'check',
  'userId',
  'asset',
  'field',
  'severity',
  'status',
  'expected',
  'actual',
  'difference',
  'differenceInRoot',
  'firstSeenAt',
  'lastSeenAt',
  'assignedTo',
] as const satisfies readonly (keyof DiscrepancyAnswer)[];

/** The largest page the API gives: the export reads every page of the filter. */
const EXPORT_PAGE_SIZE = 100;

/** Every break the filter shows, across all pages, in the API's order. */
export async function allBreaks(api: ApiClient, filter: BreakFilter): Promise<DiscrepancyAnswer[]> {
  const items: DiscrepancyAnswer[] = [];
  let cursor: string | undefined;
  do {
    const page = await api.discrepancies(filter, cursor, EXPORT_PAGE_SIZE);
    items.push(...page.items);
    cursor = page.cursor;
  } while (cursor);
  return items;
}

/** Breaks as `breaks.csv` (RFC 4180, the CLI's writer): exact decimals as the API sent them, no formula. */
export function breaksCsv(items: readonly DiscrepancyAnswer[]): string {
  return recordsCsv(BREAK_CSV_COLUMNS, items);
}

/** Hands a text file to the browser's downloads. */
export function download(name: string, text: string, type = 'text/csv;charset=utf-8'): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 0);
}
