import type { DiscrepancyAnswer } from '../../lib/api/schemas';
import type { DiscrepancyQuery, ReconApi } from './api-client';
import { ApiError } from './errors';

/** Pages followed at most: 1 000 pages of 100 is far beyond any real book, and stops a cursor that never ends. */
const MAX_PAGES = 1000;

/**
 * Every discrepancy matching the query: follows the cursors from the first page (or from
 * `query.cursor`) to the last. Used by `list --all` and `export`.
 * @throws {ApiError} when the API sends back a cursor it sent before (it would never end).
 */
export async function allDiscrepancies(api: ReconApi, query: DiscrepancyQuery): Promise<DiscrepancyAnswer[]> {
  const items: DiscrepancyAnswer[] = [];
  const seen = new Set<string>();
  let { cursor, ...filters } = query;
  for (let pages = 0; pages < MAX_PAGES; pages++) {
    const page = await api.listDiscrepancies({ ...filters, ...(cursor !== undefined && { cursor }) });
    items.push(...page.items);
    if (page.cursor === undefined || page.cursor === '') return items;
    if (seen.has(page.cursor))
      throw new ApiError('GET /discrepancies', 200, ['the API sent a cursor it had already sent'], { unexpectedShape: true });
    seen.add(page.cursor);
    cursor = page.cursor;
  }
  throw new ApiError('GET /discrepancies', 200, [`more than ${MAX_PAGES} pages: narrow the filters`], { unexpectedShape: true });
}
