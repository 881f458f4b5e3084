import { describe, expect, it } from 'vitest';
import { Amount } from '../../../../lib/domain/money';
import type { VerifiedRecord } from '../../../../lib/ports/history';
import type { BackOfficeUserBalances } from '../../../../lib/ports/upstream';
import { isDue, reasonAfterCheapReads, reasonBeforeReads, slotPhase } from '../../../../lib/runs/shard/verify-selection';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const NOW = Date.UTC(2026, 10, 22);

const record = (overrides: Partial<VerifiedRecord> = {}): VerifiedRecord => ({
  at: NOW - 1000,
  backOffice: { btc: ['1.5', '0.25'] },
  reporting: { btc: '1.5' },
  checks: { 'cross-source': 1 },
  ...overrides,
});
const backOffice = (amount: string, locked: string, extra?: [string, string, string]): BackOfficeUserBalances => ({
  userId: 'u1',
  found: true,
  balances: new Map([
    ['btc', { amount: Amount.parse(amount), locked: Amount.parse(locked) }],
    ...(extra ? [[extra[0], { amount: Amount.parse(extra[1]), locked: Amount.parse(extra[2]) }] as const] : []),
  ]),
});
/** A user whose slot is not in (at, now]: `now` one millisecond after `at`, unless its phase is exactly there. */
const context = (overrides: { now?: number; active?: string[] } = {}) => ({
  now: overrides.now ?? NOW,
  windowMs: DAY,
  hasActive: (userId: string) => (overrides.active ?? []).includes(userId),
});

describe('reasonBeforeReads', () => {
  it('verifies a user with no record of a verification (new, or totals stored before records existed)', () => {
    expect(reasonBeforeReads('u1', undefined, context())).toBe('new');
  });

  it('verifies again a user whose last needed verification did not complete', () => {
    expect(reasonBeforeReads('u1', record({ retry: true }), context())).toBe('retry');
  });

  it('verifies a user with an open or acknowledged discrepancy in every run', () => {
    expect(reasonBeforeReads('u1', record(), context({ active: ['u1'] }))).toBe('active');
  });

  it('verifies a user whose last verification is a whole window old, whatever its slot', () => {
    expect(reasonBeforeReads('u1', record({ at: NOW - DAY }), context())).toBe('due');
  });

  it('leaves the decision to the cheap reads for a recent, quiet user', () => {
    const phase = slotPhase('u1', DAY);
    // Verified one second after its slot; asked an hour later: no slot in between.
    const at = NOW - (NOW % DAY) + phase + 1000;
    expect(reasonBeforeReads('u1', record({ at }), context({ now: at + HOUR }))).toBeUndefined();
  });
});

describe('reasonAfterCheapReads', () => {
  it('carries a user whose back office says what it said, written differently, and whose history is quiet', () => {
    expect(reasonAfterCheapReads(record(), backOffice('1.50', '0.250'), false)).toBeUndefined();
  });

  it('verifies a user whose back-office amount or locked changed, or who holds a new asset', () => {
    expect(reasonAfterCheapReads(record(), backOffice('1.6', '0.25'), false)).toBe('back-office');
    expect(reasonAfterCheapReads(record(), backOffice('1.5', '0.3'), false)).toBe('back-office');
    expect(reasonAfterCheapReads(record(), backOffice('1.5', '0.25', ['eth', '0', '0']), false)).toBe('back-office');
  });

  it('verifies a user the back office stopped (or started) knowing', () => {
    const unknown: BackOfficeUserBalances = { userId: 'u1', found: false, message: 'User with id:u1 not found.' };
    expect(reasonAfterCheapReads(record(), unknown, false)).toBe('back-office');
    expect(reasonAfterCheapReads(record(), undefined, false)).toBe('back-office');
    expect(reasonAfterCheapReads(record({ backOffice: null }), backOffice('1.5', '0.25'), false)).toBe('back-office');
    expect(reasonAfterCheapReads(record({ backOffice: null }), unknown, false)).toBeUndefined();
  });

  it('verifies a user with history rows not yet counted', () => {
    expect(reasonAfterCheapReads(record(), backOffice('1.5', '0.25'), true)).toBe('history');
  });

  it('verifies a user when a cheap read failed: nothing says it did not change', () => {
    expect(reasonAfterCheapReads(record(), 'unread', false)).toBe('unread');
    expect(reasonAfterCheapReads(record(), backOffice('1.5', '0.25'), 'unread')).toBe('unread');
  });
});

describe('isDue over a simulated two days of hourly runs', () => {
  const users = Array.from({ length: 2400 }, (_, i) => `user-${i}-${(i * 7919) % 1000}`);
  const start = Date.UTC(2026, 10, 22, 0, 13);
  /** Every user verified at the first run; afterwards, each run verifies the users due. */
  function simulate(hours: number) {
    const last = new Map(users.map((user) => [user, start]));
    const perRun: number[] = [];
    const verifiedAt = new Map(users.map((user) => [user, [start]]));
    for (let hour = 1; hour <= hours; hour++) {
      const now = start + hour * HOUR;
      let due = 0;
      for (const user of users) {
        if (!isDue(user, last.get(user) ?? start, now, DAY)) continue;
        due++;
        last.set(user, now);
        verifiedAt.get(user)?.push(now);
      }
      perRun.push(due);
    }
    return { perRun, verifiedAt };
  }

  it('makes every user due exactly once per window, each run about its share of the book (users / 24)', () => {
    const { perRun, verifiedAt } = simulate(48);
    for (const times of verifiedAt.values()) {
      // Verified at the start, then once in each of the two days that follow.
      expect(times).toHaveLength(3);
      for (let i = 1; i < times.length; i++) expect((times[i] ?? 0) - (times[i - 1] ?? 0)).toBeLessThanOrEqual(DAY);
    }
    const share = users.length / 24;
    for (const due of perRun) {
      expect(due).toBeGreaterThan(share * 0.6);
      expect(due).toBeLessThan(share * 1.4);
    }
  });

  it('spreads slots evenly whatever the ids look like', () => {
    const phases = users.map((user) => slotPhase(user, DAY));
    expect(phases.every((phase) => phase >= 0 && phase < DAY)).toBe(true);
    const perHour = Array.from({ length: 24 }, (_, hour) => phases.filter((phase) => Math.floor(phase / HOUR) === hour).length);
    expect(Math.min(...perHour)).toBeGreaterThan(60);
    expect(Math.max(...perHour)).toBeLessThan(140);
  });
});
