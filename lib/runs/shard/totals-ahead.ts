import type { HistoryChunk, HistoryStore } from '../../ports/history';

/** Pages whose running totals are read in one call, and written in one. */
export const TOTALS_PER_CALL = 10;

/** The checkpoint key of a page's running totals: the page size is part of it, so a new size starts fresh. */
export const totalsKey = (pageSize: number, page: number) => `totals#${pageSize}#${page}`;

/**
 * A shard's stored running totals, read ahead: pages are read in order, so the totals of the next
 * `TOTALS_PER_CALL` pages are loaded in one call with the first of them, and each waits here until its
 * page asks for it (once). Without a history store, every page has none.
 */
export class TotalsAhead {
  private readonly ahead = new Map<number, Promise<HistoryChunk | undefined>>();

  /** `endPage`: the plan's estimate of the shard's end (past it, one page per call). */
  constructor(
    private readonly history: HistoryStore | undefined,
    private readonly pageSize: number,
    private readonly endPage: number | undefined,
  ) {}

  /** The stored totals of `page` (undefined: none stored, or no store). */
  of(page: number): Promise<HistoryChunk | undefined> {
    const history = this.history;
    if (!history) return Promise.resolve(undefined);
    if (!this.ahead.has(page)) this.load(history, page);
    const stored = this.ahead.get(page) ?? Promise.resolve(undefined);
    this.ahead.delete(page);
    return stored;
  }

  private load(history: HistoryStore, page: number): void {
    // Past the plan's estimate of the shard's pages (a page of fresh users may be shorter than the page size), one at a time.
    const count = Math.max(1, Math.min(TOTALS_PER_CALL, (this.endPage ?? Number.POSITIVE_INFINITY) - page));
    const pages = Array.from({ length: count }, (_, i) => page + i);
    const loaded = history.load(pages.map((p) => totalsKey(this.pageSize, p)));
    for (const p of pages) {
      const one = loaded.then((chunks) => chunks.get(totalsKey(this.pageSize, p)));
      one.catch(() => undefined); // a page never read (the worker stopped) must not reject unheard
      this.ahead.set(p, one);
    }
  }
}
