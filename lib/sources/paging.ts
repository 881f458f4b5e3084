import { z } from 'zod';

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

/** What was noticed while walking pages that a caller may want to report as drift. */
export interface PagingNotes {
  pages: number;
  rows: number;
  /** `total` differed between pages: rows were added or removed during the read. */
  totalChanged: boolean;
}

/**
 * Walks a paged endpoint from page 1 and yields each page's rows as it arrives. Stops on an
 * empty page or when `page × perPage ≥ total`, whichever comes first; notes a `total` that
 * changes mid-read.
 */
export async function* readPages<T>(
  fetchPage: (page: number) => Promise<Page<T>>,
  notes: PagingNotes = { pages: 0, rows: 0, totalChanged: false },
): AsyncGenerator<T[]> {
  let firstTotal: number | undefined;
  for (let page = 1; ; page++) {
    const answer = await fetchPage(page);
    notes.pages++;
    if (answer.data.length === 0) return;
    notes.rows += answer.data.length;
    firstTotal ??= answer.paging.total;
    if (answer.paging.total !== firstTotal) notes.totalChanged = true;
    yield answer.data;
    if (page * answer.paging.perPage >= answer.paging.total) return;
  }
}
