import { describe, expect, it } from 'vitest';
import type { TradeRecord, TransferRecord } from '../../../lib/domain/ledger';
import { Amount } from '../../../lib/domain/money';
import type { HistoryChunk } from '../../../lib/ports/history';
import { readBatchHistory } from '../../../lib/runs/history/batch-history';

const a = Amount.parse;
const HOUR = 3_600_000;
const t0 = Date.parse('2026-11-01T00:00:00Z');
const at = (ms: number) => new Date(t0 + ms).toISOString();

const transfer = (
  id: string,
  ms: number,
  amount: string,
  status = 'Completed',
  type: 'Deposit' | 'Withdrawal' = 'Deposit',
): TransferRecord => ({
  id,
  userId: 'u1',
  assetId: 'btc',
  type,
  status,
  assetAmount: a(amount),
  createdAt: at(ms),
});
const trade = (orderId: string, executionId: string, ms: number): TradeRecord => ({
  orderId,
  executionId,
  userId: 'u1',
  marketId: 'btc_usdt',
  side: 'Buy',
  baseAmount: a('0.5'),
  quoteAmount: a('100'),
  executedAt: at(ms),
  commissionAmount: a('0.001'),
  commissionAssetId: 'btc',
});

/**
 * A Reporting stand-in over one user's rows that honours the filters the reader sends (user, the
 * creation range, statuses left out, order ids) and counts the rows it serves.
 */
function upstream(transfers: TransferRecord[], orders: { orderId: string; createdMs: number }[], trades: TradeRecord[]) {
  const served = { rows: 0 };
  const inRange = (iso: string, range?: { from?: string; to?: string }) =>
    (!range?.from || iso >= range.from) && (!range?.to || iso <= range.to);
  return {
    served,
    port: {
      transfers: async (_users: string[], query?: { from?: string; to?: string; notStatus?: readonly string[] }) => {
        const rows = transfers.filter((row) => inRange(row.createdAt, query) && !query?.notStatus?.includes(row.status));
        served.rows += rows.length;
        return rows;
      },
      finishedOrders: async (_users: string[], createdFrom?: string) => {
        const rows = orders.filter((order) => inRange(at(order.createdMs), { from: createdFrom }));
        served.rows += rows.length;
        return rows.map((order) => ({ orderId: order.orderId, userId: 'u1' }));
      },
      tradesOfOrders: async (ids: string[]) => {
        const rows = trades.filter((row) => ids.includes(row.orderId));
        served.rows += rows.length;
        return rows;
      },
    },
  };
}

/** u1 has no resting orders (read, and empty). */
const none = new Map([['u1', []]]);
const options = (asOfMs: number, rebuild = false) => ({ asOf: new Date(t0 + asOfMs), graceMs: 15 * 60_000, overlapMs: HOUR, rebuild });

async function fullThenIncremental(
  first: Parameters<typeof upstream>,
  second: Parameters<typeof upstream>,
  asOf1: number,
  asOf2: number,
  open: string[] = [],
) {
  const one = upstream(...first);
  const a1 = await readBatchHistory(['u1'], new Map([['u1', open]]), undefined, options(asOf1), one.port);
  const chunk = JSON.parse(JSON.stringify(a1.next)) as HistoryChunk; // as stored
  const two = upstream(...second);
  const a2 = await readBatchHistory(['u1'], new Map([['u1', []]]), chunk, options(asOf2), two.port);
  const full = upstream(...second);
  const rebuilt = await readBatchHistory(['u1'], new Map([['u1', []]]), chunk, options(asOf2, true), full.port);
  return { a1, a2, rebuilt, served: { first: one.served.rows, second: two.served.rows, rebuild: full.served.rows } };
}

describe('readBatchHistory: running totals with a watermark', () => {
  it('reads only rows from watermark − overlap on, counts a row read again in the overlap once, and equals a full rebuild', async () => {
    const old = Array.from({ length: 50 }, (_, i) => transfer(`d${i}`, i * HOUR, '1'));
    const inOverlap = transfer('late', 99.5 * HOUR, '0.25'); // before the first as-of, inside the overlap
    const next = transfer('new', 120 * HOUR, '2');
    const orders = [{ orderId: 'o1', createdMs: 99.8 * HOUR }];
    const trades = [trade('o1', 'e1', 99.9 * HOUR)];
    const { a1, a2, rebuilt, served } = await fullThenIncremental(
      [[...old, inOverlap], orders, trades],
      [[...old, inOverlap, next], orders, trades],
      100 * HOUR,
      130 * HOUR,
    );
    expect(a1.ledger.get('u1', 'btc')?.total.toString()).toBe('50.749'); // 50 + 0.25 + 0.5 − 0.001
    expect(a2.ledger.get('u1', 'btc')?.total.toString()).toBe('52.749');
    expect(a2.ledger.get('u1', 'btc')?.kinds.deposits?.count).toBe(52);
    expect(a2.ledger.get('u1', 'usdt')?.total.toString()).toBe('-100');
    expect(rebuilt.ledger.get('u1', 'btc')?.total.toString()).toBe('52.749');
    expect(a2.incrementalUsers).toBe(1);
    expect(rebuilt.incrementalUsers).toBe(0);
    // 53 rows the first time; the second reads the overlap rows again and the new one, not the 50 old deposits.
    expect(served.first).toBe(53);
    expect(served.second).toBe(4);
    expect(served.rebuild).toBe(54);
  });

  it('stores no totals when the resting orders of a user are unknown: their later fills must not fall behind the watermark', async () => {
    const deposit = transfer('d0', 0, '5');
    const unknownResting = await readBatchHistory(['u1'], new Map(), undefined, options(100 * HOUR), upstream([deposit], [], []).port);
    expect(unknownResting.ledger.get('u1', 'btc')?.total.toString()).toBe('5');
    expect(unknownResting.next).toBeUndefined();
    const known = await readBatchHistory(['u1'], new Map([['u1', []]]), undefined, options(100 * HOUR), upstream([deposit], [], []).port);
    expect(known.next?.users.u1).toBeDefined();
  });

  it('counts a transfer pending at the watermark once it completes, however long ago it was created', async () => {
    const deposit = transfer('d0', 0, '5');
    const pendingThen = transfer('w1', 10 * HOUR, '1', 'Pending', 'Withdrawal');
    const completedNow = { ...pendingThen, status: 'Completed' };
    const { a1, a2, rebuilt, served } = await fullThenIncremental(
      [[deposit, pendingThen], [], []],
      [[deposit, completedNow], [], []],
      100 * HOUR,
      130 * HOUR,
    );
    expect(a1.ledger.get('u1', 'btc')?.total.toString()).toBe('5');
    expect(a1.next?.users.u1?.pending).toEqual([['w1', pendingThen.createdAt]]);
    expect(a2.ledger.get('u1', 'btc')?.total.toString()).toBe('4');
    expect(rebuilt.ledger.get('u1', 'btc')?.total.toString()).toBe('4');
    expect(a2.next?.users.u1?.pending).toEqual([]);
    // The old pending row was read again narrowly; the old deposit was not.
    expect(served.second).toBe(1);
  });

  it('reads a transfer pending since long before the watermark and still pending by its status, not by its dates', async () => {
    const deposit = transfer('d0', 0, '5');
    const pendingThen = transfer('w1', 10 * HOUR, '1', 'Pending', 'Withdrawal');
    const { a2, served } = await fullThenIncremental(
      [[deposit, pendingThen], [], []],
      [[deposit, pendingThen], [], []],
      100 * HOUR,
      130 * HOUR,
    );
    expect(a2.ledger.get('u1', 'btc')?.total.toString()).toBe('5');
    expect(a2.next?.users.u1?.pending ?? [['w1', pendingThen.createdAt]]).toEqual([['w1', pendingThen.createdAt]]);
    expect(a2.transfers.get('u1')?.map((row) => row.id)).toEqual(['w1']);
    // Only the pending row itself: the read of the transfers not yet final found it, no read by dates followed.
    expect(served.second).toBe(1);
  });

  it('leaves rows after the as-of for the next run and marks the grace window as recent even when already counted', async () => {
    const after = transfer('future', 101 * HOUR, '3');
    const recent = transfer('recent', 100 * HOUR - 5 * 60_000, '1');
    const { a1, a2 } = await fullThenIncremental([[recent, after], [], []], [[recent, after], [], []], 100 * HOUR, 100 * HOUR + 60_000);
    expect(a1.ledger.get('u1', 'btc')?.total.toString()).toBe('1');
    expect(a1.ledger.get('u1', 'btc')?.recentIds).toEqual(['recent']);
    // One minute later: `recent` is counted (from the totals) and still in the grace window; `future` is still ahead.
    expect(a2.ledger.get('u1', 'btc')?.total.toString()).toBe('1');
    expect(a2.ledger.get('u1', 'btc')?.recent.toString()).toBe('1');
  });

  it('reads the fills of an order resting at the watermark that filled since, even though the order is old', async () => {
    const deposit = transfer('d0', 0, '5');
    const resting = { orderId: 'o-old', createdMs: 1 * HOUR };
    const fill = trade('o-old', 'e9', 120 * HOUR);
    const { a2 } = await fullThenIncremental([[deposit], [], []], [[deposit], [resting], [fill]], 100 * HOUR, 130 * HOUR, ['o-old']);
    expect(a2.ledger.get('u1', 'btc')?.total.toString()).toBe('5.499');
  });

  it('writes nothing when nothing changed, and a later run still counts new rows once from the older watermark', async () => {
    const rows = [transfer('d0', 0, '5'), transfer('d1', 99.5 * HOUR, '1')];
    const first = await readBatchHistory(['u1'], none, undefined, options(100 * HOUR), upstream(rows, [], []).port);
    const stored = JSON.parse(JSON.stringify(first.next)) as HistoryChunk;
    const quiet = await readBatchHistory(['u1'], none, stored, options(101 * HOUR), upstream(rows, [], []).port);
    expect(quiet.next).toBeUndefined();
    expect(quiet.ledger.get('u1', 'btc')?.total.toString()).toBe('6');
    const later = [...rows, transfer('d2', 101.5 * HOUR, '2')];
    const busy = await readBatchHistory(['u1'], none, stored, options(102 * HOUR), upstream(later, [], []).port);
    expect(busy.ledger.get('u1', 'btc')?.total.toString()).toBe('8');
    expect(busy.next?.watermark).toBe(t0 + 102 * HOUR);
  });

  it('does not move the watermark back for a run as of an earlier time, and reads such a run in full', async () => {
    const rows = [transfer('d0', 0, '5'), transfer('d1', 50 * HOUR, '1')];
    const one = upstream(rows, [], []);
    const first = await readBatchHistory(['u1'], none, undefined, options(100 * HOUR), one.port);
    const earlier = await readBatchHistory(['u1'], none, first.next, options(10 * HOUR), upstream(rows, [], []).port);
    expect(earlier.next).toBeUndefined();
    expect(earlier.incrementalUsers).toBe(0);
    expect(earlier.ledger.get('u1', 'btc')?.total.toString()).toBe('5');
  });
});
