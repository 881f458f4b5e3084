import { describe, expect, it } from 'vitest';
import { type Page, pagingSchema, readPages } from '../../../lib/sources/paging';

async function collect<T>(pages: Page<T>[]): Promise<{ rows: T[]; calls: number; totalChanged: boolean }> {
  let calls = 0;
  const notes = { pages: 0, rows: 0, totalChanged: false };
  const rows: T[] = [];
  for await (const page of readPages(async (n) => {
    calls++;
    return pages[n - 1] ?? { paging: { page: n, perPage: 2, total: 0 }, data: [] };
  }, notes)) {
    rows.push(...page);
  }
  return { rows, calls, totalChanged: notes.totalChanged };
}

describe('pagingSchema', () => {
  it('accepts per_page and perPage alike', () => {
    expect(pagingSchema.parse({ page: 1, per_page: 15, total: 2 })).toEqual({ page: 1, perPage: 15, total: 2 });
    expect(pagingSchema.parse({ page: '1', perPage: '15', total: '2' })).toEqual({ page: 1, perPage: 15, total: 2 });
    expect(pagingSchema.safeParse({ page: 1, total: 2 }).success).toBe(false);
  });
});

describe('readPages', () => {
  it('stops when page × perPage reaches total, without asking for an extra page', async () => {
    const result = await collect([
      { paging: { page: 1, perPage: 2, total: 3 }, data: [1, 2] },
      { paging: { page: 2, perPage: 2, total: 3 }, data: [3] },
    ]);
    expect(result).toEqual({ rows: [1, 2, 3], calls: 2, totalChanged: false });
  });

  it('stops on an empty page even when total promises more', async () => {
    const result = await collect([{ paging: { page: 1, perPage: 2, total: 10 }, data: [1, 2] }]);
    expect(result.rows).toEqual([1, 2]);
    expect(result.calls).toBe(2);
  });

  it('notices a total that changes during the read', async () => {
    const result = await collect([
      { paging: { page: 1, perPage: 1, total: 2 }, data: ['a'] },
      { paging: { page: 2, perPage: 1, total: 3 }, data: ['b'] },
      { paging: { page: 3, perPage: 1, total: 3 }, data: ['c'] },
    ]);
    expect(result).toEqual({ rows: ['a', 'b', 'c'], calls: 3, totalChanged: true });
  });
});
