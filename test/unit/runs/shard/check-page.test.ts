import { describe, expect, it } from 'vitest';
import { Precision } from '../../../../lib/domain/precision';
import { SourceError } from '../../../../lib/ports/source-error';
import { startOf } from '../../../../lib/runs/listing-cursor';
import { checkPage } from '../../../../lib/runs/shard/check-page';
import { type PageRead, readPage } from '../../../../lib/runs/shard/read-page';
import { AS_OF, backOfficeOf, type Faults, planOf, readContextOf, reportingOf } from './shard-book';

const checking = { precision: new Precision(new Map([['btc', 8]])), asOf: new Date(AS_OF), until: AS_OF };

/** The first page of a book of `users` (all in one page), read with these faults. */
async function firstPage(users: number, faults: Faults = {}, roles?: (i: number) => string): Promise<Exclude<PageRead, { kind: 'end' }>> {
  const plan = planOf(users, users);
  const context = readContextOf(plan, reportingOf(users, faults, roles), backOfficeOf(faults));
  const listing = await context.reporting.usersPage({ to: AS_OF }, 1, users);
  const step = { fresh: listing.users, next: undefined, notes: [], broken: false };
  const read = await readPage({ kind: 'listed', page: 1, at: startOf({}), step }, context);
  if (read.kind === 'end') throw new Error('unexpected end');
  return read;
}

describe('checkPage', () => {
  it('counts a consistent page: every check matches, positions, sums, rates, totals to store', async () => {
    const page = checkPage(await firstPage(3), checking);
    expect(page.verdicts.length).toBeGreaterThan(0);
    expect(page.verdicts.some((verdict) => verdict.outcome === 'mismatch')).toBe(false);
    for (const check of ['amount-split', 'cross-source', 'roll-forward', 'locked-orders', 'sanity'])
      expect(page.verdicts.filter((verdict) => verdict.check === check).map((verdict) => verdict.outcome)).toEqual([
        'match',
        'match',
        'match',
      ]);
    expect(page).toMatchObject({
      page: 1,
      users: 3,
      positions: 3,
      listed: 3,
      unchecked: [],
      sumsIncomplete: false,
      rates: { btc: '30000' },
    });
    expect(page.counted.flat()).toHaveLength(3);
    expect(page.history?.next?.users).toHaveProperty('u3');
  });

  it('finds a real difference as a mismatch', async () => {
    const page = checkPage(await firstPage(2, { mismatch: true }), checking);
    const mismatches = page.verdicts.filter((verdict) => verdict.outcome === 'mismatch');
    expect(mismatches.map((verdict) => [verdict.check, verdict.userId])).toContainEqual(['cross-source', 'u2']);
  });

  it('makes the checks of a failed back office unknown, never a mismatch, and the users unchecked', async () => {
    const page = checkPage(await firstPage(2, { backOffice: true }), checking);
    expect(page.verdicts.some((verdict) => verdict.outcome === 'mismatch')).toBe(false);
    expect(page.verdicts.filter((verdict) => verdict.check === 'cross-source').map((verdict) => verdict.outcome)).toEqual([
      'unknown',
      'unknown',
    ]);
    expect(page.unchecked).toEqual(['u1', 'u2']);
    // Reporting answered: the asset sums are whole.
    expect(page.sumsIncomplete).toBe(false);
  });

  it('leaves a user whose balances failed out of the sums, which are then incomplete', async () => {
    const page = checkPage(await firstPage(2, { balancesOf: 'u2' }), checking);
    expect(page.verdicts.filter((verdict) => verdict.userId === 'u2').every((verdict) => verdict.outcome === 'unknown')).toBe(true);
    expect(page).toMatchObject({ positions: 1, unchecked: ['u2'], sumsIncomplete: true });
  });

  it('makes roll-forward unknown when the history could not be read', async () => {
    const read = await firstPage(2);
    if (read.kind !== 'read') throw new Error('expected a read page');
    const failed = { ...read, history: { ok: false as const, error: new SourceError('reporting', 'trades', 'timeout', 'slow') } };
    const page = checkPage(failed, checking);
    const rollForward = page.verdicts.filter((verdict) => verdict.check === 'roll-forward');
    expect(rollForward.map((verdict) => verdict.outcome)).toEqual(['unknown', 'unknown']);
    expect(page.history).toBeUndefined();
    expect(page.unchecked).toEqual(['u1', 'u2']);
  });

  it('keeps users outside the totals apart', async () => {
    const page = checkPage(await firstPage(2, {}, (i) => (i === 2 ? 'Bot' : 'Trader')), checking);
    expect(page.counted.flat()).toHaveLength(1);
    expect(page.outside.flat()).toHaveLength(1);
  });

  it('notes a failed listing as a range left unread, with no users and no listed count', () => {
    const failed = {
      kind: 'listing-failed' as const,
      page: 4,
      at: { from: '2026-01-01T00:00:00Z', seen: [], page: 1 },
      error: new SourceError('reporting', 'users', 'timeout', 'slow'),
    };
    expect(checkPage(failed, checking)).toMatchObject({
      page: 4,
      next: undefined,
      unread: { from: '2026-01-01T00:00:00Z', to: AS_OF },
      listed: undefined,
      users: 0,
      sumsIncomplete: true,
    });
  });

  it('passes a listed page on with its notes and count, nothing checked', () => {
    const step = { fresh: [], next: { seen: [], page: 2 }, notes: ['short page'], broken: false };
    const page = checkPage({ kind: 'listed', page: 1, at: startOf({}), step }, checking);
    expect(page).toMatchObject({ listed: 0, notes: ['short page'], next: { page: 2 }, verdicts: [], sumsIncomplete: false });
    expect(page.unread).toBeUndefined();
  });
});
