import { describe, expect, it } from 'vitest';
import { Amount } from '../../../lib/domain/money';
import { Precision } from '../../../lib/domain/precision';
import { CircuitBreaker } from '../../../lib/policy/circuit-breaker';
import { SourceError } from '../../../lib/ports/source-error';
import type { MultiMarketsAccountRef, VenuePorts, VenueProgress } from '../../../lib/ports/venues';
import { checkVenues, type InternalBalances, type VenueSchedule } from '../../../lib/runs/check-venues';
import { SourceHealthTracker } from '../../../lib/runs/source-health';
import type { VenueAccounts } from '../../../lib/venues/venue-accounts';
import { InMemoryVenueCheckLog } from '../../fakes/in-memory-ports';

const a = Amount.parse;
const accounts: VenueAccounts = {
  multimarkets: [
    { thirdServerCode: 'T1', userName: '86000001', currency: 'USDT', userId: 'u1', asset: 'usdt' },
    { thirdServerCode: 'T1', userName: '86000002', currency: 'USDT', userId: 'u2', asset: 'usdt' },
  ],
  indx: [{ wmid: '111111111111', userId: 'u1', wmz: 'usd', culture: 'en-EN', instruments: [{ id: 7, name: 'BTC', asset: 'btc' }] }],
};
const scales = new Precision(
  new Map([
    ['usdt', 6],
    ['usd', 2],
    ['btc', 8],
  ]),
);
const NOW = new Date('2025-03-01T12:00:00.000Z');
const DAY = 86_400;

/** Reporting as the venue phase sees it: u1's balances, a timeout for u2; counts the reads per user. */
function reporting() {
  const reads = new Map<string, number>();
  const internal: InternalBalances = async (userId) => {
    reads.set(userId, (reads.get(userId) ?? 0) + 1);
    if (userId === 'u2') return { ok: false, error: new SourceError('reporting', 'users/balances', 'timeout', 'x') };
    return {
      ok: true,
      value: [
        { asset: 'usdt', amount: a('5.5') },
        { asset: 'usd', amount: a('10') },
        { asset: 'btc', amount: a('0.5') },
      ],
    };
  };
  return { internal, reads };
}

/** A schedule with no budget limit, at a fixed time. */
function schedule(overrides: Partial<VenueSchedule> = {}): VenueSchedule {
  return { budgets: {}, windowSeconds: DAY, clock: { now: () => NOW }, ...overrides };
}

/** Runs the venue phase over `ports` with Reporting's fake, no budget and a breaker of 3. */
function checkWith(ports: VenuePorts, health = new SourceHealthTracker(), at: VenueSchedule = schedule()) {
  return checkVenues(ports, reporting().internal, at, scales, new CircuitBreaker(3), health);
}

/** A MultiMarkets that finds every account with `amount`, recording the accounts it was asked for. */
function multiMarkets(amount = '5.5') {
  const asked: string[] = [];
  return {
    asked,
    port: {
      balance: async (ref: MultiMarketsAccountRef) => {
        asked.push(ref.userName);
        return { found: true as const, amount: a(amount), scale: 6, currency: ref.currency, userName: ref.userName };
      },
    },
  };
}

const manyAccounts = (count: number): VenueAccounts => ({
  multimarkets: Array.from({ length: count }, (_, i) => ({
    thirdServerCode: 'T',
    userName: `8600000${i}`,
    currency: 'USDT',
    userId: 'u1',
    asset: 'usdt',
  })),
  indx: [],
});

describe('checkVenues', () => {
  it('compares each account read with the Reporting balance it mirrors, unknown where Reporting failed', async () => {
    const ports: VenuePorts = {
      accounts,
      multiMarkets: {
        balance: async (ref) => ({
          found: true,
          amount: a(ref.userName === '86000001' ? '5.4' : '1'),
          scale: 6,
          currency: 'USDT',
          userName: ref.userName,
        }),
      },
      indx: {
        balance: async ({ wmid }) => ({
          found: true,
          wmid,
          nickname: 'n',
          wmz: a('10'),
          price: a('0'),
          portfolio: [{ id: 7, name: 'BTC', notes: a('0.5'), price: a('1'), type: 't', kind: 0, by: 0 }],
        }),
      },
    };
    const health = new SourceHealthTracker();
    const { verdicts } = await checkVenues(ports, reporting().internal, schedule(), scales, new CircuitBreaker(3), health);
    expect(verdicts.map((v) => [v.check, v.userId, v.asset, v.outcome])).toEqual([
      ['venue-multimarkets', 'u1', 'usdt', 'mismatch'],
      ['venue-multimarkets', 'u2', 'usdt', 'unknown'],
      ['venue-indx', 'u1', 'usd', 'match'],
      ['venue-indx', 'u1', 'btc', 'match'],
    ]);
    expect(verdicts[1]).toMatchObject({ reason: 'reporting unavailable: timeout' });
    expect(health.report().reporting).toMatchObject({ status: 'degraded', failures: 1 });
  });

  it('reads each user’s Reporting balances once, for all of that user’s venue accounts', async () => {
    const { internal, reads } = reporting();
    const ports: VenuePorts = {
      accounts,
      multiMarkets: multiMarkets().port,
      indx: {
        balance: async ({ wmid }) => ({ found: true, wmid, nickname: 'n', wmz: a('10'), price: a('0'), portfolio: [] }),
      },
    };
    await checkVenues(ports, internal, schedule(), scales, new CircuitBreaker(3), new SourceHealthTracker());
    expect(Object.fromEntries(reads)).toEqual({ u1: 1, u2: 1 });
  });

  it('calls Reporting for no account the venue did not find', async () => {
    const { internal, reads } = reporting();
    const ports: VenuePorts = {
      accounts,
      multiMarkets: { balance: async () => ({ found: false, code: '20001', message: 'no account' }) },
    };
    const { verdicts } = await checkVenues(ports, internal, schedule(), scales, new CircuitBreaker(3), new SourceHealthTracker());
    expect(verdicts.map((v) => [v.outcome, v.outcome === 'unknown' && v.reason])).toEqual([
      ['unknown', 'account not found at MultiMarkets (code 20001)'],
      ['unknown', 'account not found at MultiMarkets (code 20001)'],
    ]);
    expect(reads.size).toBe(0);
  });

  it('reads no INDX account when the credential probe fails, making them all unknown', async () => {
    let reads = 0;
    const health = new SourceHealthTracker();
    const ports: VenuePorts = {
      accounts,
      indx: {
        probe: async () => {
          reads++;
          throw new SourceError('indx', 'Balance', 'upstream-error', 'code -2: access denied');
        },
        balance: async () => {
          reads++;
          throw new Error('a trader on the shared credentials is not read after the probe failed');
        },
      },
    };
    const log = new InMemoryVenueCheckLog();
    const { verdicts, coverage } = await checkVenues(ports, reporting().internal, schedule({ log }), scales, new CircuitBreaker(3), health);
    expect(reads).toBe(1);
    expect(verdicts.every((verdict) => verdict.outcome === 'unknown')).toBe(true);
    expect(health.report().indx).toMatchObject({ status: 'degraded', firstError: 'indx Balance: upstream-error: code -2: access denied' });
    expect(log.marks).toEqual([]);
    expect(coverage).toEqual({ indx: { accounts: 1, checked: 0, overdue: 1, window: DAY } });
  });

  it('stops calling a venue after three failures in a row', async () => {
    let reads = 0;
    const ports: VenuePorts = {
      accounts: manyAccounts(6),
      multiMarkets: {
        balance: async () => {
          reads++;
          throw new SourceError('multimarkets', 'get-user-amount', 'timeout', 'x', { retryable: true });
        },
      },
    };
    const { verdicts } = await checkWith(ports);
    expect(reads).toBe(3);
    expect(verdicts).toHaveLength(6);
    expect(verdicts.every((verdict) => verdict.outcome === 'unknown')).toBe(true);
  });

  it('reads at most the budget, most overdue first, and records them as checked at the start of the phase', async () => {
    const log = new InMemoryVenueCheckLog();
    await log.markChecked('multimarkets', ['T/86000000/USDT', 'T/86000002/USDT'], '2025-03-01T09:00:00.000Z');
    await log.markChecked('multimarkets', ['T/86000001/USDT'], '2025-03-01T08:00:00.000Z');
    log.marks.length = 0;
    const venue = multiMarkets();
    let ticks = 0;
    // every look at the clock is one second later than the one before
    const clock = {
      now: () => {
        ticks++;
        return new Date(NOW.getTime() + ticks * 1_000);
      },
    };
    const { verdicts, coverage } = await checkVenues(
      { accounts: manyAccounts(5), multiMarkets: venue.port },
      reporting().internal,
      schedule({ log, clock, budgets: { multimarkets: 3 } }),
      scales,
      new CircuitBreaker(3),
      new SourceHealthTracker(),
    );
    // never checked (3, 4 by key), then the least recently checked (1)
    expect(venue.asked).toEqual(['86000003', '86000004', '86000001']);
    expect(verdicts).toHaveLength(3);
    const startedAt = new Date(NOW.getTime() + 1_000).toISOString();
    expect(log.marks).toEqual([{ source: 'multimarkets', keys: ['T/86000003/USDT', 'T/86000004/USDT', 'T/86000001/USDT'], at: startedAt }]);
    expect(coverage.multimarkets).toEqual({
      accounts: 5,
      checked: 3,
      overdue: 0,
      oldestCheckedAt: '2025-03-01T09:00:00.000Z',
      window: DAY,
    });
  });

  it('stops to hand over when the run must (after one account each invocation), then reads the rest of its first choice and marks them at the first start', async () => {
    const log = new InMemoryVenueCheckLog();
    await log.markChecked('multimarkets', ['T/86000000/USDT', 'T/86000002/USDT'], '2025-03-01T09:00:00.000Z');
    await log.markChecked('multimarkets', ['T/86000001/USDT'], '2025-03-01T08:00:00.000Z');
    log.marks.length = 0;
    const venue = multiMarkets();
    const phase = (at: Date, mustStop: () => boolean, resume?: VenueProgress) =>
      checkVenues(
        { accounts: manyAccounts(5), multiMarkets: venue.port },
        reporting().internal,
        schedule({ log, clock: { now: () => at }, budgets: { multimarkets: 3 }, mustStop, ...(resume && { resume }) }),
        scales,
        new CircuitBreaker(3),
        new SourceHealthTracker(),
      );
    // Time is short from the start: one account, then a handover; nothing is recorded yet.
    const first = await phase(NOW, () => true);
    expect(venue.asked).toEqual(['86000003']);
    expect(first).toMatchObject({ finished: false, coverage: {} });
    expect(first.verdicts).toHaveLength(1);
    expect(first.progress).toEqual({
      multimarkets: { startedAt: NOW.toISOString(), read: ['T/86000003/USDT'], answered: ['T/86000003/USDT'] },
    });
    expect(log.marks).toEqual([]);
    // Resumed an hour later: the two accounts left of the budget of 3, as first chosen, all marked at the first start.
    const second = await phase(new Date(NOW.getTime() + 3_600_000), () => false, first.progress);
    expect(venue.asked).toEqual(['86000003', '86000004', '86000001']);
    expect(second.verdicts).toHaveLength(2);
    expect(second.finished).toBe(true);
    expect(log.marks).toEqual([
      { source: 'multimarkets', keys: ['T/86000003/USDT', 'T/86000004/USDT', 'T/86000001/USDT'], at: NOW.toISOString() },
    ]);
    expect(second.coverage.multimarkets).toMatchObject({ accounts: 5, checked: 3, overdue: 0 });
    // A phase already over is not read again: its coverage is what it was.
    const third = await phase(NOW, () => false, second.progress);
    expect(venue.asked).toHaveLength(3);
    expect(third).toMatchObject({ finished: true, verdicts: [], coverage: second.coverage });
  });

  it('records an account the venue answered "not found" as checked, and leaves one whose call failed due', async () => {
    const log = new InMemoryVenueCheckLog();
    const ports: VenuePorts = {
      accounts: manyAccounts(3),
      multiMarkets: {
        balance: async (ref) => {
          if (ref.userName === '86000001') throw new SourceError('multimarkets', 'get-user-amount', 'http-status', '503');
          if (ref.userName === '86000002') return { found: false, code: '20001', message: 'no account' };
          return { found: true, amount: a('5.5'), scale: 6, currency: 'USDT', userName: ref.userName };
        },
      },
    };
    const { coverage } = await checkVenues(
      ports,
      reporting().internal,
      schedule({ log }),
      scales,
      new CircuitBreaker(3),
      new SourceHealthTracker(),
    );
    expect([...log.times.multimarkets.keys()].sort()).toEqual(['T/86000000/USDT', 'T/86000002/USDT']);
    expect(coverage.multimarkets).toMatchObject({ accounts: 3, checked: 2, overdue: 1 });
  });

  it('reports as overdue the accounts last checked before the window that this run could not reach', async () => {
    const log = new InMemoryVenueCheckLog();
    await log.markChecked('multimarkets', ['T/86000000/USDT', 'T/86000001/USDT'], '2025-02-27T12:00:00.000Z');
    await log.markChecked('multimarkets', ['T/86000002/USDT'], '2025-03-01T06:00:00.000Z');
    const { coverage } = await checkVenues(
      { accounts: manyAccounts(4), multiMarkets: multiMarkets().port },
      reporting().internal,
      schedule({ log, budgets: { multimarkets: 2 } }),
      scales,
      new CircuitBreaker(3),
      new SourceHealthTracker(),
    );
    // read: 86000003 (never), 86000000 (oldest, tie broken by key); left overdue: 86000001
    expect(coverage.multimarkets).toEqual({
      accounts: 4,
      checked: 2,
      overdue: 1,
      oldestCheckedAt: '2025-02-27T12:00:00.000Z',
      window: DAY,
    });
  });

  it('chooses from the log but writes nothing to it when read-only', async () => {
    const log = new InMemoryVenueCheckLog();
    await log.markChecked('multimarkets', ['T/86000000/USDT'], '2025-03-01T06:00:00.000Z');
    log.marks.length = 0;
    const venue = multiMarkets();
    const { coverage } = await checkVenues(
      { accounts: manyAccounts(2), multiMarkets: venue.port },
      reporting().internal,
      schedule({ log, readOnly: true, budgets: { multimarkets: 1 } }),
      scales,
      new CircuitBreaker(3),
      new SourceHealthTracker(),
    );
    expect(venue.asked).toEqual(['86000001']);
    expect(log.marks).toEqual([]);
    expect(coverage.multimarkets).toMatchObject({ checked: 1, overdue: 0 });
  });

  it('without a log, treats every account as never checked', async () => {
    const venue = multiMarkets();
    const { coverage } = await checkVenues(
      { accounts: manyAccounts(3), multiMarkets: venue.port },
      reporting().internal,
      schedule({ budgets: { multimarkets: 2 } }),
      scales,
      new CircuitBreaker(3),
      new SourceHealthTracker(),
    );
    expect(venue.asked).toEqual(['86000000', '86000001']);
    expect(coverage.multimarkets).toEqual({ accounts: 3, checked: 2, overdue: 1, oldestCheckedAt: NOW.toISOString(), window: DAY });
  });

  it('reports no coverage for a venue it has no port for', async () => {
    const { coverage, verdicts } = await checkVenues(
      { accounts },
      reporting().internal,
      schedule(),
      scales,
      new CircuitBreaker(3),
      new SourceHealthTracker(),
    );
    expect(verdicts).toEqual([]);
    expect(coverage).toEqual({});
  });
});

describe('checkVenues: INDX traders with their own credentials', () => {
  const trader = (wmid: string, own: boolean): VenueAccounts['indx'][number] => ({
    wmid,
    userId: 'u1',
    wmz: 'usd',
    culture: 'en-EN',
    instruments: [],
    ...(own && { login: { env: `L${wmid}` }, password: { env: `P${wmid}` } }),
  });
  const found = async ({ wmid }: { wmid: string }) => ({
    found: true as const,
    wmid,
    nickname: 'n',
    wmz: a('10'),
    price: a('0'),
    portfolio: [],
  });
  const denied = () => new SourceError('indx', 'Balance', 'upstream-error', 'code -2: access denied', { scope: 'account' });

  it('reads a trader with its own credentials although the probe of the shared ones failed; only the shared trader is unknown', async () => {
    const asked: string[] = [];
    const ports: VenuePorts = {
      accounts: { multimarkets: [], indx: [trader('111111111111', false), trader('222222222222', true)] },
      indx: {
        probe: async () => {
          throw new SourceError('indx', 'Balance', 'upstream-error', 'code -2: access denied');
        },
        balance: async (account) => {
          asked.push(account.wmid);
          return found(account);
        },
      },
    };
    const { verdicts } = await checkWith(ports);
    expect(asked).toEqual(['222222222222']);
    expect(verdicts.map((v) => v.outcome)).toEqual(['unknown', 'match']);
  });

  it("keeps reading other traders after several traders' own credentials were refused: a refusal is the trader's, not the source's", async () => {
    const wmids = ['100000000001', '100000000002', '100000000003', '100000000004', '100000000005'];
    const health = new SourceHealthTracker();
    const ports: VenuePorts = {
      accounts: { multimarkets: [], indx: wmids.map((wmid) => trader(wmid, true)) },
      indx: {
        balance: async (account) => {
          if (account.wmid !== '100000000005') throw denied();
          return found(account);
        },
      },
    };
    const { verdicts } = await checkWith(ports, health);
    expect(verdicts.map((v) => v.outcome)).toEqual(['unknown', 'unknown', 'unknown', 'unknown', 'match']);
    expect(verdicts[0]).toMatchObject({ reason: "indx refused WMID 100000000001's credentials: code -2: access denied" });
    expect(health.report().indx).toMatchObject({ status: 'degraded', failures: 4 });
  });

  it('makes a trader whose credentials cannot be read unknown, naming the WMID and the reference, and reads the next', async () => {
    const health = new SourceHealthTracker();
    const ports: VenuePorts = {
      accounts: { multimarkets: [], indx: [trader('111111111111', true), trader('222222222222', false)] },
      indx: {
        balance: async (account) => {
          if (account.wmid === '111111111111') {
            throw new SourceError('indx', 'Balance', 'credentials', 'WMID 111111111111: environment variable P111111111111 is not set', {
              scope: 'account',
            });
          }
          return found(account);
        },
      },
    };
    const { verdicts } = await checkVenues(ports, reporting().internal, schedule(), scales, new CircuitBreaker(3), health);
    expect(verdicts).toMatchObject([
      { outcome: 'unknown', reason: 'indx credentials unavailable: WMID 111111111111: environment variable P111111111111 is not set' },
      { outcome: 'match' },
    ]);
    expect(health.report().indx?.firstError).toBe(
      'indx Balance: credentials: WMID 111111111111: environment variable P111111111111 is not set',
    );
  });

  it('starts no INDX read after runSeconds of its phase; the traders left stay due', async () => {
    let now = NOW.getTime();
    const asked: string[] = [];
    const ports: VenuePorts = {
      accounts: { multimarkets: [], indx: ['100000000001', '100000000002', '100000000003'].map((wmid) => trader(wmid, true)) },
      indx: {
        balance: async (account) => {
          asked.push(account.wmid);
          now += 40_000;
          return found(account);
        },
      },
    };
    const clock = { now: () => new Date(now) };
    const { coverage } = await checkWith(ports, new SourceHealthTracker(), schedule({ runSeconds: 60, clock }));
    expect(asked).toEqual(['100000000001', '100000000002']);
    expect(coverage.indx).toMatchObject({ accounts: 3, checked: 2, overdue: 1 });
  });
});
