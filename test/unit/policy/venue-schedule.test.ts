import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { pickDueAccounts, venueBudgets, venueCoverage } from '../../../lib/policy/venue-schedule';

const byKey = (key: string) => key;
const at = (hour: number) => new Date(Date.UTC(2025, 0, 1, hour)).toISOString();

describe('pickDueAccounts', () => {
  it('reads the never-checked accounts first, then the least recently checked, up to the budget', () => {
    const lastChecked = new Map([
      ['a', at(10)],
      ['c', at(9)],
      ['d', at(11)],
    ]);
    expect(pickDueAccounts(['a', 'b', 'c', 'd'], byKey, lastChecked, 3)).toEqual(['b', 'c', 'a']);
  });

  it('breaks ties by account key, whatever order the mapping lists them in', () => {
    const lastChecked = new Map([
      ['k2', at(5)],
      ['k1', at(5)],
    ]);
    expect(pickDueAccounts(['z', 'k2', 'y', 'k1'], byKey, lastChecked, 4)).toEqual(['y', 'z', 'k1', 'k2']);
    expect(pickDueAccounts(['k1', 'y', 'k2', 'z'], byKey, lastChecked, 4)).toEqual(['y', 'z', 'k1', 'k2']);
  });

  it('compares the times, not their spelling', () => {
    const lastChecked = new Map([
      ['a', '2025-01-01T10:00:00Z'],
      ['b', '2025-01-01T09:30:00.000Z'],
    ]);
    expect(pickDueAccounts(['a', 'b'], byKey, lastChecked, 1)).toEqual(['b']);
  });

  it('treats an unreadable time as never checked', () => {
    const lastChecked = new Map([
      ['a', 'yesterday'],
      ['b', at(1)],
    ]);
    expect(pickDueAccounts(['b', 'a'], byKey, lastChecked, 1)).toEqual(['a']);
  });

  it('reads nothing with a budget of 0 and everything with a budget beyond the mapping', () => {
    expect(pickDueAccounts(['a', 'b'], byKey, new Map(), 0)).toEqual([]);
    expect(pickDueAccounts(['b', 'a'], byKey, new Map(), Number.POSITIVE_INFINITY)).toEqual(['a', 'b']);
  });

  it('returns the account objects, keyed by the given function', () => {
    const accounts = [{ id: 'x' }, { id: 'w' }];
    expect(pickDueAccounts(accounts, (account) => account.id, new Map([['w', at(1)]]), 1)).toEqual([{ id: 'x' }]);
  });

  it('always picks min(budget, accounts) distinct accounts, none more recently checked than one it leaves out', () => {
    const account = fc.string({ minLength: 1, maxLength: 4 });
    fc.assert(
      fc.property(
        fc.uniqueArray(account, { maxLength: 30 }),
        fc.array(fc.tuple(account, fc.integer({ min: 0, max: 1_000 })), { maxLength: 30 }),
        fc.nat(40),
        (keys, checks, budget) => {
          const lastChecked = new Map(checks.map(([key, minute]) => [key, new Date(minute * 60_000).toISOString()]));
          const picked = pickDueAccounts(keys, byKey, lastChecked, budget);
          expect(picked).toHaveLength(Math.min(budget, keys.length));
          expect(new Set(picked).size).toBe(picked.length);
          const time = (key: string) => (lastChecked.has(key) ? Date.parse(lastChecked.get(key) as string) : -1);
          const newestPicked = Math.max(-1, ...picked.map(time));
          for (const left of keys.filter((key) => !picked.includes(key))) expect(time(left)).toBeGreaterThanOrEqual(newestPicked);
        },
      ),
    );
  });
});

describe('venueCoverage', () => {
  const now = new Date(Date.UTC(2025, 0, 2, 12));
  const windowSeconds = 24 * 3600;

  it('counts as overdue the accounts never checked and those last checked before the window', () => {
    const lastChecked = new Map([
      ['a', '2025-01-02T06:00:00.000Z'],
      ['b', '2025-01-01T06:00:00.000Z'],
    ]);
    expect(venueCoverage({ keys: ['a', 'b', 'c'], lastChecked, checked: 1, now, windowSeconds })).toEqual({
      accounts: 3,
      checked: 1,
      overdue: 2,
      oldestCheckedAt: '2025-01-01T06:00:00.000Z',
      window: 86_400,
    });
  });

  it('counts an account checked exactly one window ago as covered, and one a millisecond earlier as overdue', () => {
    const edge = new Map([['a', '2025-01-01T12:00:00.000Z']]);
    expect(venueCoverage({ keys: ['a'], lastChecked: edge, checked: 0, now, windowSeconds }).overdue).toBe(0);
    const past = new Map([['a', '2025-01-01T11:59:59.999Z']]);
    expect(venueCoverage({ keys: ['a'], lastChecked: past, checked: 0, now, windowSeconds }).overdue).toBe(1);
  });

  it('ignores times logged for accounts no longer mapped', () => {
    const lastChecked = new Map([
      ['gone', '2020-01-01T00:00:00.000Z'],
      ['a', '2025-01-02T11:00:00.000Z'],
    ]);
    expect(venueCoverage({ keys: ['a'], lastChecked, checked: 0, now, windowSeconds })).toEqual({
      accounts: 1,
      checked: 0,
      overdue: 0,
      oldestCheckedAt: '2025-01-02T11:00:00.000Z',
      window: 86_400,
    });
  });

  it('gives no oldest check when no account was ever checked', () => {
    const coverage = venueCoverage({ keys: ['a', 'b'], lastChecked: new Map(), checked: 0, now, windowSeconds });
    expect(coverage).toEqual({ accounts: 2, checked: 0, overdue: 2, window: 86_400 });
    expect('oldestCheckedAt' in coverage).toBe(false);
  });
});

describe('venueBudgets', () => {
  it("spends the run's seconds at MultiMarkets' pace, rounding down, and gives INDX (paced per WMID) no call budget", () => {
    expect(venueBudgets({ runSeconds: 300, multiMarketsRatePerMinute: 90 })).toEqual({ multimarkets: 450 });
    expect(venueBudgets({ runSeconds: 59, multiMarketsRatePerMinute: 1 })).toEqual({ multimarkets: 0 });
  });

  it('gives no budget for a venue that is not configured', () => {
    expect(venueBudgets({ runSeconds: 300, multiMarketsRatePerMinute: 90 })).toEqual({ multimarkets: 450 });
  });
});
