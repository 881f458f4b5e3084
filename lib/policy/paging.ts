/**
 * How many rows a page must hold by its paging block: the page size, or what is left of `total` on the
 * last page, or none past the end. The server decides the page size (the documents' answers all say 15,
 * whatever was asked), so this is the answered `perPage`, never the size asked for.
 *
 * @example rowsExpected({ page: 4, perPage: 15, total: 48 }) // 3
 */
export function rowsExpected(paging: { page: number; perPage: number; total: number }): number {
  return Math.min(paging.perPage, Math.max(0, paging.total - (paging.page - 1) * paging.perPage));
}
