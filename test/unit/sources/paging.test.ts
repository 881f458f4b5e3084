import { describe, expect, it } from 'vitest';
import { newPagingNotes, type Page, pagingSchema, readAllPages, readPages } from '../../../lib/sources/paging';
import { SourceError } from '../../../lib/sources/source-error';

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
    expect(result.notes).toEqual({ pages: 2, rows: 3, totalChanged: false, repeatedRows: 0 });
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

  it('fails with inconsistent-paging when every read moves', async () => {
    const { fetchPage } = upstream([page(1, 1, 2, ['a']), page(2, 1, 3, ['b'])]);
    const error = await readAllPages(fetchPage, (row) => row, { source: 'reporting', endpoint: 'transfers' }).catch(
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(SourceError);
    expect(error).toMatchObject({ failure: 'inconsistent-paging', source: 'reporting', endpoint: 'transfers' });
  });
});
