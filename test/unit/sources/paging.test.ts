import { describe, expect, it } from 'vitest';
import { SourceError } from '../../../lib/ports/source-error';
import { newPagingNotes, type Page, pagingSchema, readAllPages, readPages } from '../../../lib/sources/paging';

/** A paged upstream that answers page n with `pages[n-1]` (or an empty page past the end), counting calls. */
function upstream<T>(pages: Page<T>[]) {
  const calls = { count: 0 };
  const fetchPage = async (n: number): Promise<Page<T>> => {
    calls.count++;
    return pages[n - 1] ?? { paging: { page: n, perPage: 2, total: 0 }, data: [] };
  };
  return { fetchPage, calls };
}

async function collect<T>(pages: Page<T>[], keyOf?: (row: T) => string) {
  const { fetchPage, calls } = upstream(pages);
  const notes = newPagingNotes();
  const rows: T[] = [];
  for await (const page of readPages(fetchPage, notes, keyOf)) rows.push(...page);
  return { rows, calls: calls.count, notes };
}

const page = <T>(n: number, perPage: number, total: number, data: T[]): Page<T> => ({ paging: { page: n, perPage, total }, data });

describe('pagingSchema', () => {
  it('accepts per_page and perPage alike', () => {
    expect(pagingSchema.parse({ page: 1, per_page: 15, total: 2 })).toEqual({ page: 1, perPage: 15, total: 2 });
    expect(pagingSchema.parse({ page: '1', perPage: '15', total: '2' })).toEqual({ page: 1, perPage: 15, total: 2 });
    expect(pagingSchema.safeParse({ page: 1, total: 2 }).success).toBe(false);
  });
});

describe('readPages', () => {
  it('stops when page × perPage reaches total, without asking for an extra page', async () => {
    const result = await collect([page(1, 2, 3, [1, 2]), page(2, 2, 3, [3])]);
    expect(result.rows).toEqual([1, 2, 3]);
    expect(result.calls).toBe(2);
    expect(result.notes).toEqual({ pages: 2, rows: 3, totalChanged: false, repeatedRows: 0, pageSizeChanged: false, shortPages: [] });
  });

  it("follows the server's page size, not the one asked: 48 rows answered 15 a page are read in 4 pages", async () => {
    const rows = Array.from({ length: 48 }, (_, i) => i);
    const served = [0, 1, 2, 3].map((n) => page(n + 1, 15, 48, rows.slice(n * 15, n * 15 + 15)));
    const result = await collect(served);
    expect(result.rows).toEqual(rows);
    expect(result.calls).toBe(4);
    expect(result.notes).toMatchObject({ pageSizeChanged: false, shortPages: [] });
  });

  it('reads a page size of 1 to the end', async () => {
    const result = await collect([page(1, 1, 3, ['a']), page(2, 1, 3, ['b']), page(3, 1, 3, ['c'])]);
    expect(result.rows).toEqual(['a', 'b', 'c']);
    expect(result.calls).toBe(3);
  });

  it('notes a page shorter than its paging promised (rows the server skipped), and reads on', async () => {
    const result = await collect([page(1, 3, 7, ['a', 'b', 'c']), page(2, 3, 7, ['d']), page(3, 3, 7, ['g'])]);
    expect(result.rows).toEqual(['a', 'b', 'c', 'd', 'g']);
    expect(result.notes.shortPages).toEqual([2]);
  });

  it('notes an empty page before the total was reached as short', async () => {
    const result = await collect([page(1, 2, 5, ['a', 'b']), page(2, 2, 5, [])]);
    expect(result.notes.shortPages).toEqual([2]);
  });

  it('notes a page size that changes between pages (its offsets no longer follow on)', async () => {
    const result = await collect([page(1, 2, 4, ['a', 'b']), page(2, 3, 4, ['d'])]);
    expect(result.notes.pageSizeChanged).toBe(true);
  });

  it('stops on an empty page even when total promises more', async () => {
    const result = await collect([page(1, 2, 10, [1, 2])]);
    expect(result.rows).toEqual([1, 2]);
    expect(result.calls).toBe(2);
  });

  it('notices a total that changes during the read', async () => {
    const result = await collect([page(1, 1, 2, ['a']), page(2, 1, 3, ['b']), page(3, 1, 3, ['c'])]);
    expect(result.rows).toEqual(['a', 'b', 'c']);
    expect(result.notes.totalChanged).toBe(true);
  });

  it('skips and counts rows that repeat the previous page', async () => {
    const result = await collect([page(1, 2, 4, ['a', 'b']), page(2, 2, 4, ['b', 'c'])], (row) => row);
    expect(result.rows).toEqual(['a', 'b', 'c']);
    expect(result.notes.repeatedRows).toBe(1);
  });
});

describe('readAllPages', () => {
  it('re-reads once when the data moved during the first read, and returns the consistent second read', async () => {
    let reads = 0;
    const fetchPage = async (n: number): Promise<Page<string>> => {
      if (n === 1) reads++;
      if (reads === 1) return n === 1 ? page(1, 2, 4, ['a', 'b']) : page(2, 2, 4, ['b', 'c']);
      return n === 1 ? page(1, 2, 3, ['a', 'b']) : page(2, 2, 3, ['c']);
    };
    expect(await readAllPages(fetchPage, (row) => row, { source: 'reporting', endpoint: 'transfers' })).toEqual(['a', 'b', 'c']);
    expect(reads).toBe(2);
  });

  it('fails with inconsistent-paging naming the page when a page comes short on every read', async () => {
    const { fetchPage, calls } = upstream([page(1, 2, 5, ['a', 'b']), page(2, 2, 5, ['c']), page(3, 2, 5, ['e'])]);
    const error = await readAllPages(fetchPage, (row) => row, { source: 'reporting', endpoint: 'orders' }).catch(
      (caught: unknown) => caught,
    );
    expect(error).toMatchObject({ failure: 'inconsistent-paging', endpoint: 'orders' });
    expect(String((error as Error).message)).toMatch(/page\(s\) 2 came short/);
    expect(calls.count).toBe(6);
  });

  it('fails with inconsistent-paging when the page size changes on every read', async () => {
    const { fetchPage } = upstream([page(1, 2, 4, ['a', 'b']), page(2, 3, 4, ['d'])]);
    const error = await readAllPages(fetchPage, (row) => row, { source: 'reporting', endpoint: 'orders' }).catch(
      (caught: unknown) => caught,
    );
    expect(String((error as Error).message)).toMatch(/page size changed/);
  });

  it('fails with inconsistent-paging when every read moves', async () => {
    const { fetchPage } = upstream([page(1, 1, 2, ['a']), page(2, 1, 3, ['b'])]);
    const error = await readAllPages(fetchPage, (row) => row, { source: 'reporting', endpoint: 'transfers' }).catch(
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(SourceError);
    expect(error).toMatchObject({ failure: 'inconsistent-paging', source: 'reporting', endpoint: 'transfers' });
  });
});
