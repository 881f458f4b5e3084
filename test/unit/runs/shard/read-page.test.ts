import { describe, expect, it } from 'vitest';
import { startOf } from '../../../../lib/runs/listing-cursor';
import { type PageRead, PageReader } from '../../../../lib/runs/shard/read-page';
import { backOfficeOf, type Faults, MemoryHistory, planOf, readContextOf, reportingOf } from './shard-book';

/** Every page a reader hands out, in order, over a book of `users` in pages of two. */
async function readAll(users: number, faults: Faults = {}, scope?: { users: string[] }, history?: MemoryHistory) {
  const plan = planOf(users, 2, scope ? { scope } : {});
  const context = readContextOf(plan, reportingOf(users, faults), backOfficeOf(faults), history);
  const reader = new PageReader(context, { cursor: startOf({}), page: 1 }, 3);
  const pages: PageRead[] = [];
  reader.fill();
  for (let next = reader.next(); next; next = reader.next()) {
    pages.push(await next);
    reader.fill();
  }
  await reader.abandon();
  return { pages, health: context.health.report() };
}

describe('PageReader', () => {
  it('reads every page of the listing in order, each user with their own reads, then ends', async () => {
    const { pages } = await readAll(5);
    const read = pages.filter((page) => page.kind === 'read');
    expect(read.map((page) => page.page)).toEqual(read.map((_, i) => i + 1));
    expect(read.flatMap((page) => page.users.map((one) => one.user.userId))).toEqual(['u1', 'u2', 'u3', 'u4', 'u5']);
    expect(read.every((page) => page.history.ok && page.backOffice.ok)).toBe(true);
    expect(read.at(-1)?.step.next).toBeUndefined();
    // Pages asked for ahead, past the listing's end, come back as the end.
    expect(pages.slice(read.length).every((page) => page.kind === 'end')).toBe(true);
  });

  it('gives a failed listing request as such, with the cursor it was asked from, and reads no further', async () => {
    const { pages, health } = await readAll(6, { listingFrom: 2 });
    expect(pages.map((page) => page.kind)).toEqual(['read', 'listing-failed', 'end']);
    const failed = pages[1];
    if (failed?.kind !== 'listing-failed') throw new Error('expected a failed listing');
    expect(failed.page).toBe(2);
    expect(failed.at.from).toBeDefined();
    expect(failed.error.failure).toBe('timeout');
    expect(health.reporting?.failures).toBe(1);
  });

  it('gives a listed page without reads when none of its users is in scope', async () => {
    const { pages } = await readAll(4, {}, { users: ['u3'] });
    expect(pages[0]?.kind).toBe('listed');
    const read = pages.filter((page) => page.kind === 'read');
    expect(read.flatMap((page) => page.users.map((one) => one.user.userId))).toEqual(['u3']);
  });

  it('settles a failed source per user instead of failing the page', async () => {
    const { pages } = await readAll(2, { balancesOf: 'u2', backOffice: true });
    const read = pages[0];
    if (read?.kind !== 'read') throw new Error('expected a read page');
    expect(read.users.map((one) => one.balances.ok)).toEqual([true, false]);
    expect(read.backOffice.ok).toBe(false);
    expect(read.users.every((one) => !one.available.ok)).toBe(true);
  });

  it('loads the stored running totals of the next pages in one call', async () => {
    const history = new MemoryHistory();
    await readAll(6, {}, undefined, history);
    // The plan's estimate (three pages) in one call; pages past it one at a time.
    expect(history.loads[0]).toEqual(['totals#2#1#1', 'totals#2#1#2', 'totals#2#1#3']);
    expect(history.loads.slice(1).every((keys) => keys.length === 1)).toBe(true);
  });
});
