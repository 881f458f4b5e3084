import { z } from 'zod';
import { rowsExpected } from '../policy/paging';
import { SourceError } from '../ports/source-error';
import type { SourceName } from '../ports/upstream';

/**
 * The paging block of an upstream answer. The documents spell the page size `per_page` in most
 * answers and `perPage` in others; both are accepted.
 */
export const pagingSchema = z
  .object({
    page: z.coerce.number().int().min(1),
    per_page: z.coerce.number().int().min(1).optional(),
    perPage: z.coerce.number().int().min(1).optional(),
    total: z.coerce.number().int().min(0),
  })
  .transform(({ page, per_page, perPage, total }, ctx) => {
    const size = per_page ?? perPage;
    if (size === undefined) {
      ctx.addIssue({ code: 'custom', message: 'paging has neither per_page nor perPage' });
      return z.NEVER;
    }
    return { page, perPage: size, total };
  });

/** A parsed paging block. */
export type Paging = z.infer<typeof pagingSchema>;

/** One page as read: its rows and its paging block. */
export interface Page<T> {
  paging: Paging;
  data: T[];
}

/** What was noticed while walking pages that a caller may want to report. */
export interface PagingNotes {
  pages: number;
  rows: number;
  /** `total` differed between pages: rows were added or removed during the read. */
  totalChanged: boolean;
  /** Rows of the previous page served again (offset paging shifted under an insert); they are skipped. */
  repeatedRows: number;
  /** The server answered another page size than on page 1: its offsets no longer follow on, rows may be skipped or repeated. */
  pageSizeChanged: boolean;
  /** Pages that held fewer rows than their own paging block promised (`rowsExpected`): rows the server skipped. */
  shortPages: number[];
}

/** Fresh, empty notes. */
export function newPagingNotes(): PagingNotes {
  return { pages: 0, rows: 0, totalChanged: false, repeatedRows: 0, pageSizeChanged: false, shortPages: [] };
}

/**
 * Walks a paged endpoint from page 1 and yields each page's rows as it arrives, following the
 * server's paging: the page size is the answered `perPage` (whatever was asked). Stops on an
 * empty page or when `page × perPage ≥ total`, whichever comes first. Notes a `total` or a page
 * size that changes mid-read and a page shorter than its paging promised, and skips (and counts)
 * rows that repeat the previous page's, by `keyOf`.
 */
export async function* readPages<T>(
  fetchPage: (page: number) => Promise<Page<T>>,
  notes: PagingNotes = newPagingNotes(),
  keyOf?: (row: T) => string,
): AsyncGenerator<T[]> {
  let firstTotal: number | undefined;
  let firstSize: number | undefined;
  let previousKeys = new Set<string>();
  for (let page = 1; ; page++) {
    const answer = await fetchPage(page);
    notes.pages++;
    if (answer.data.length < rowsExpected({ ...answer.paging, page })) notes.shortPages.push(page);
    if (answer.data.length === 0) return;
    firstTotal ??= answer.paging.total;
    firstSize ??= answer.paging.perPage;
    if (answer.paging.total !== firstTotal) notes.totalChanged = true;
    if (answer.paging.perPage !== firstSize) notes.pageSizeChanged = true;
    let rows = answer.data;
    if (keyOf) {
      const keys = new Set<string>();
      rows = rows.filter((row) => {
        const key = keyOf(row);
        if (previousKeys.has(key) || keys.has(key)) {
          notes.repeatedRows++;
          return false;
        }
        keys.add(key);
        return true;
      });
      previousKeys = keys;
    }
    notes.rows += rows.length;
    if (rows.length > 0) yield rows;
    if (page * answer.paging.perPage >= answer.paging.total) return;
  }
}

/**
 * Reads every page into one list that is known to be consistent: if `total` or the page size
 * changed, a row repeated or a page came short during the read, the read starts over (the data
 * moved under it, or the server skipped rows); if it is still inconsistent after `attempts`
 * reads, it fails.
 *
 * @throws {SourceError} `inconsistent-paging` when no consistent read was possible.
 */
export async function readAllPages<T>(
  fetchPage: (page: number) => Promise<Page<T>>,
  keyOf: (row: T) => string,
  where: { source: SourceName; endpoint: string },
  attempts = 2,
): Promise<T[]> {
  for (let attempt = 1; ; attempt++) {
    const notes = newPagingNotes();
    const rows: T[] = [];
    for await (const page of readPages(fetchPage, notes, keyOf)) rows.push(...page);
    const what = inconsistency(notes);
    if (what === undefined) return rows;
    if (attempt >= attempts) {
      throw new SourceError(where.source, where.endpoint, 'inconsistent-paging', `${what} during each of ${attempts} reads`);
    }
  }
}

/** What made a read inconsistent, in words, or undefined when it was consistent. */
function inconsistency(notes: PagingNotes): string | undefined {
  if (notes.totalChanged) return 'total changed';
  if (notes.pageSizeChanged) return 'page size changed';
  if (notes.repeatedRows > 0) return `${notes.repeatedRows} row(s) repeated`;
  if (notes.shortPages.length > 0) return `page(s) ${notes.shortPages.join(', ')} came short`;
  return undefined;
}
