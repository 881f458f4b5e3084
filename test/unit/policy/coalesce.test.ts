import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { TradeRecord } from '../../../lib/domain/ledger';
import { Amount } from '../../../lib/domain/money';
import { coalescedBackOffice, coalescedReporting, joinReads } from '../../../lib/policy/coalesce';
import type { BackOfficePort, ReportingPort } from '../../../lib/ports/upstream';

const trade = (orderId: string): TradeRecord => ({
  orderId,
  executionId: `e-${orderId}`,
  userId: 'u1',
  marketId: 'btc_usdt',
  side: 'Buy',
  baseAmount: Amount.parse('0.5'),
  quoteAmount: Amount.parse('100'),
  executedAt: '2026-11-01T00:00:00.000Z',
  commissionAmount: Amount.parse('0.001'),
  commissionAssetId: 'btc',
});

interface Row {
  key: string;
  n: number;
}

/** A keyed read that answers one row per key (two for keys ending in `2`) and records every call. */
function recorder(fail?: Error) {
  const calls: { keys: string[]; params: string[] }[] = [];
  const read = joinReads<string, Row>(
    {
      group: (param) => param,
      call: async (keys, params) => {
        calls.push({ keys, params });
        if (fail) throw fail;
        return keys.flatMap((key) =>
          key.endsWith('2')
            ? [
                { key, n: 1 },
                { key, n: 2 },
              ]
            : [{ key, n: 1 }],
        );
      },
      keyOf: (row) => row.key,
    },
    { maxKeys: 5, waitMs: 10 },
  );
  return { calls, read };
}

const keys = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}${i}`);

describe('joinReads', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('joins concurrent calls into one and hands each caller exactly the rows of its own keys', async () => {
    const { calls, read } = recorder();
    const a = read(['a1', 'a2'], 'g');
    const b = read(['b1'], 'g');
    await vi.advanceTimersByTimeAsync(10);
    expect(calls).toEqual([{ keys: ['a1', 'a2', 'b1'], params: ['g', 'g'] }]);
    expect(await a).toEqual([
      { key: 'a1', n: 1 },
      { key: 'a2', n: 1 },
      { key: 'a2', n: 2 },
    ]);
    expect(await b).toEqual([{ key: 'b1', n: 1 }]);
  });

  it('sends a lone call only once the wait is over', async () => {
    const { calls, read } = recorder();
    const a = read(['a1'], 'g');
    await vi.advanceTimersByTimeAsync(9);
    expect(calls).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(calls).toEqual([{ keys: ['a1'], params: ['g'] }]);
    expect(await a).toEqual([{ key: 'a1', n: 1 }]);
  });

  it('never passes the most keys a call carries: a full batch goes out at once, a caller that does not fit starts the next', async () => {
    const { calls, read } = recorder();
    const a = read(keys('a', 3), 'g');
    const b = read(keys('b', 3), 'g'); // 6 > 5: a goes out now, b waits for company
    expect(calls.map((call) => call.keys)).toEqual([keys('a', 3)]);
    const c = read(keys('c', 2), 'g'); // b + c = 5: full, out at once
    expect(calls.map((call) => call.keys)).toEqual([keys('a', 3), [...keys('b', 3), ...keys('c', 2)]]);
    const big = read(keys('d', 7), 'g'); // more than fit: alone
    await vi.advanceTimersByTimeAsync(10);
    expect(calls.map((call) => call.keys.length)).toEqual([3, 5, 7]);
    expect((await a).map((row) => row.key)).toEqual(['a0', 'a1', 'a2', 'a2']);
    expect((await b).map((row) => row.key)).toEqual(['b0', 'b1', 'b2', 'b2']);
    expect((await c).map((row) => row.key)).toEqual(['c0', 'c1']);
    expect(await big).toHaveLength(8);
  });

  it('joins only callers of the same group', async () => {
    const { calls, read } = recorder();
    const a = read(['a1'], 'from-1');
    const b = read(['b1'], 'from-2');
    await vi.advanceTimersByTimeAsync(10);
    expect(calls).toEqual([
      { keys: ['a1'], params: ['from-1'] },
      { keys: ['b1'], params: ['from-2'] },
    ]);
    await Promise.all([a, b]);
  });

  it('fails every caller of a joined call with its error', async () => {
    const error = new Error('reporting answered 503');
    const { read } = recorder(error);
    const a = read(['a1'], 'g');
    const b = read(['b1'], 'g');
    const settled = Promise.allSettled([a, b]);
    await vi.advanceTimersByTimeAsync(10);
    expect(await settled).toEqual([
      { status: 'rejected', reason: error },
      { status: 'rejected', reason: error },
    ]);
  });
});

describe('the coalesced ports', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });
  const limits = { backOfficeUsers: 100, reportingUsers: 100, orderIds: 500, waitMs: 5 };

  it('joins the back office balances of two pages and hands each page its users', async () => {
    const asked: string[][] = [];
    const port: BackOfficePort = {
      balances: async (userIds) => {
        asked.push(userIds);
        return userIds.map((userId) => ({ userId, found: false as const, message: 'not found' }));
      },
      available: async () => {
        throw new Error('not read here');
      },
    };
    const backOffice = coalescedBackOffice(port, limits);
    const one = backOffice.balances(['u1', 'u2']);
    const two = backOffice.balances(['u3']);
    await vi.advanceTimersByTimeAsync(5);
    expect(asked).toEqual([['u1', 'u2', 'u3']]);
    expect((await one).map((row) => row.userId)).toEqual(['u1', 'u2']);
    expect((await two).map((row) => row.userId)).toEqual(['u3']);
  });

  it('joins history reads of the same range only, and splits orders by owner and trades by order', async () => {
    const asked: string[] = [];
    const none = async () => {
      throw new Error('not read here');
    };
    const port: ReportingPort = {
      assets: none,
      usersPage: none,
      userBalances: none,
      openOrders: none,
      transfers: async (userIds, created) => {
        asked.push(`transfers ${userIds} ${created?.from}`);
        return [];
      },
      finishedOrders: async (userIds, from) => {
        asked.push(`orders ${userIds} ${from}`);
        return userIds.map((userId) => ({ orderId: `o-${userId}`, userId }));
      },
      tradesOfOrders: async (orderIds) => {
        asked.push(`trades ${orderIds}`);
        return orderIds.map(trade);
      },
    };
    const reporting = coalescedReporting(port, limits);
    const reads = Promise.all([
      reporting.transfers(['u1'], { from: 'T1' }),
      reporting.transfers(['u2'], { from: 'T1' }),
      reporting.transfers(['u3'], { from: 'T2' }),
      reporting.finishedOrders(['u1'], 'T1'),
      reporting.finishedOrders(['u2'], 'T1'),
      reporting.tradesOfOrders(['o-1']),
      reporting.tradesOfOrders(['o-2', 'o-3']),
    ]);
    await vi.advanceTimersByTimeAsync(5);
    const [, , , orders1, orders2, trades1, trades2] = await reads;
    expect(asked.sort()).toEqual(['orders u1,u2 T1', 'trades o-1,o-2,o-3', 'transfers u1,u2 T1', 'transfers u3 T2']);
    expect(orders1).toEqual([{ orderId: 'o-u1', userId: 'u1' }]);
    expect(orders2).toEqual([{ orderId: 'o-u2', userId: 'u2' }]);
    expect(trades1.map((row) => row.orderId)).toEqual(['o-1']);
    expect(trades2.map((row) => row.orderId)).toEqual(['o-2', 'o-3']);
  });
});
