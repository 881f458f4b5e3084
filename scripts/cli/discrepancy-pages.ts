import type { DiscrepancyAnswer } from '../../lib/api/schemas';
import type { DiscrepancyQuery, ReconApi } from './api-client';
import { ApiError } from './errors';

/** Pages followed at most: 1 000 pages of 100 is far beyond any real book, and stops a cursor that never ends. */
const MAX_PAGES = 1000;

/**
 * Every item of a paged route: follows the cursors from `cursor` (or the first page) to the last. Used by
 * `list --all`, `export` and `runs --all`.
 * @throws {ApiError} when the API sends back a cursor it sent before (it would never end), or too many pages.
 */
export async function allPages<T>(
  route: string,
  page: (cursor: string | undefined) => Promise<{ items: T[]; cursor?: string | undefined }>,
  cursor?: string,
): Promise<T[]> {
  const items: T[] = [];
  const seen = new Set<string>();
  let next = cursor;
  for (let pages = 0; pages < MAX_PAGES; pages++) {
    const answer = await page(next);
    items.push(...answer.items);
    if (answer.cursor === undefined || answer.cursor === '') return items;
    if (seen.has(answer.cursor)) throw new ApiError(route, 200, ['the API sent a cursor it had already sent'], { unexpectedShape: true });
    seen.add(answer.cursor);
    next = answer.cursor;
  }
  throw new ApiError(route, 200, [`more than ${MAX_PAGES} pages: narrow the filters`], { unexpectedShape: true });
}

/** Every discrepancy matching the query, all pages (`list --all`, `export`). @throws {ApiError} see {@link allPages}. */
export function allDiscrepancies(api: ReconApi, query: DiscrepancyQuery): Promise<DiscrepancyAnswer[]> {
  const { cursor, ...filters } = query;
  return allPages(
    'GET /discrepancies',
    (next) => api.listDiscrepancies({ ...filters, ...(next !== undefined && { cursor: next }) }),
    cursor,
  );
}
