import type { HistoryChunk, HistoryStore } from '../../ports/history';

/** Pages whose running totals are read in one call, and written in one. */
export const TOTALS_PER_CALL = 10;

/**
 * The checkpoint key of a page's running totals. The page size is part of it, so a new size starts
 * fresh; so is the first page of the page's shard: each shard numbers its pages on from its first
 * page, and a listing answer after the first repeats the user at the instant it reads from, so a shard
 * of N pages' worth of users reads a few more than N pages and runs past the next shard's first page
 * number. Keyed by the page alone, the two shards' pages of one number overwrote each other's totals
 * on every run, and both read those users' whole history again (about 12 % of the users at 1 M positions).
 */
export const totalsKey = (pageSize: number, shardFirstPage: number, page: number) => `totals#${pageSize}#${shardFirstPage}#${page}`;

/**
 * A shard's stored running totals, read ahead: pages are read in order, so the totals of the next
 * `TOTALS_PER_CALL` pages are loaded in one call with the first of them, and each waits here until its
 * page asks for it (once). Without a history store, every page has none.
 */
export class TotalsAhead {
  private readonly ahead = new Map<number, Promise<HistoryChunk | undefined>>();

  /** `shard`: its first page (part of the key) and the plan's estimate of its end (past it, one page per call). */
  constructor(
    private readonly history: HistoryStore | undefined,
    private readonly pageSize: number,
    private readonly shard: { firstPage: number; endPage?: number },
  ) {}

  /** The key of `page`'s totals in this shard. */
  keyOf(page: number): string {
    return totalsKey(this.pageSize, this.shard.firstPage, page);
  }

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
    const count = Math.max(1, Math.min(TOTALS_PER_CALL, (this.shard.endPage ?? Number.POSITIVE_INFINITY) - page));
    const pages = Array.from({ length: count }, (_, i) => page + i);
    const loaded = history.load(pages.map((p) => this.keyOf(p)));
    for (const p of pages) {
      const one = loaded.then((chunks) => chunks.get(this.keyOf(p)));
      one.catch(() => undefined); // a page never read (the worker stopped) must not reject unheard
      this.ahead.set(p, one);
    }
  }
}
