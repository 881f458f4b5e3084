import { beforeAll, describe, expect, it } from 'vitest';
import { ActivityOptionsError, type ActivityResult, addActivity } from '../../../sandbox/activity';
import { generateBook } from '../../../sandbox/book';
import type { Book, BookOrder, BookTrade, BookTransfer, Manifest } from '../../../sandbox/book-types';
import { createReportingHandler } from '../../../sandbox/reporting-api';
import { comparable, differingPositions, key, marketAssets, recomputeTruth, TRUTH_BREAKING } from './book-oracle';
import { reportRows, runChecks } from './check-oracle';

const DAY_MS = 86_400_000;
const HALF_HOUR_MS = 30 * 60_000;

/** What the book held before an activity call: its asOf, rows and manifest (a deep copy). */
interface Before {
  asOf: string;
  transfers: readonly BookTransfer[];
  orders: readonly BookOrder[];
  trades: readonly BookTrade[];
  manifest: Manifest;
}
const snapshot = (book: Book): Before => ({
  asOf: book.asOf,
  transfers: [...book.transfers],
  orders: [...book.orders],
  trades: [...book.trades],
  manifest: structuredClone(book.manifest),
});
const historyRows = (b: { transfers: readonly unknown[]; orders: readonly unknown[]; trades: readonly unknown[] }) =>
  b.transfers.length + b.orders.length + b.trades.length;
/** The rows an activity call appended (history arrays only grow at their end). */
const addedSince = (book: Book, before: Before) => ({
  transfers: book.transfers.slice(before.transfers.length),
  orders: book.orders.slice(before.orders.length),
  trades: book.trades.slice(before.trades.length),
});
const ms = (iso: string) => Date.parse(iso);

/** A Reporting query through the sandbox's handler: every page of `report` matching `filters`. */
const query = (book: Book, report: string, filters: unknown[]) =>
  reportRows(createReportingHandler(book), report, filters) as Record<string, string>[];

/** Checks what every activity call must leave behind, against the book as it was before the call. */
function expectConsistentActivity(book: Book, before: Before, result: ActivityResult, advanceMs: number, fraction: number) {
  const added = addedSince(book, before);
  expect(result.asOf).toBe(book.asOf);
  expect(ms(book.asOf) - ms(before.asOf)).toBe(advanceMs);
  expect(book.manifest.asOf).toBe(book.asOf);
  expect(result.added).toEqual({ transfers: added.transfers.length, orders: added.orders.length, trades: added.trades.length });
  expect(result.rows).toEqual({ transfers: book.transfers.length, orders: book.orders.length, trades: book.trades.length });
  // the old rows are untouched, in place
  expect(book.transfers.slice(0, before.transfers.length)).toEqual(before.transfers);
  expect(book.trades.slice(0, before.trades.length)).toEqual(before.trades);

  // about `fraction` more rows, every one dated in (old asOf, new asOf − 30 min]
  const grown = historyRows(added) / historyRows(before);
  expect(grown).toBeGreaterThanOrEqual(fraction);
  expect(grown).toBeLessThan(fraction * 1.15);
  const from = ms(before.asOf);
  const to = ms(book.asOf) - HALF_HOUR_MS;
  const times = [
    ...added.transfers.map((t) => t.createdAt),
    ...added.orders.flatMap((o) => [o.createdAt, o.updatedAt]),
    ...added.trades.flatMap((t) => [t.createdAt, t.executedAt]),
  ];
  for (const at of times) {
    expect(ms(at), at).toBeGreaterThan(from);
    expect(ms(at), at).toBeLessThanOrEqual(to);
  }

  // new unique ids continuing the counters
  const maxId = (ids: readonly string[]) => ids.reduce((m, id) => (BigInt(id) > m ? BigInt(id) : m), 0n);
  const orderIds = [...before.orders.map((o) => o.orderId), ...book.openOrders.map((o) => o.orderId)];
  for (const [olds, news] of [
    [before.transfers.map((t) => t.id), added.transfers.map((t) => t.id)],
    [orderIds, added.orders.map((o) => o.orderId)],
    [before.trades.map((t) => t.executionId), added.trades.map((t) => t.executionId)],
  ] as const) {
    expect(new Set([...olds, ...news]).size).toBe(olds.length + news.length);
    for (const id of news) expect(BigInt(id) > maxId(olds)).toBe(true);
  }

  // Completed deposits and withdrawals; Completed orders of 1–3 trades, commission in the received asset
  for (const t of added.transfers) expect(t.status).toBe('Completed');
  expect(new Set(added.transfers.map((t) => t.type))).toEqual(new Set(['Deposit', 'Withdrawal']));
  expect(added.orders.length).toBeGreaterThan(0);
  for (const o of added.orders) {
    const fills = added.trades.filter((t) => t.orderId === o.orderId);
    expect(fills.map((t) => t.executionId)).toEqual(o.executionIds);
    expect(fills.length).toBeGreaterThanOrEqual(1);
    expect(fills.length).toBeLessThanOrEqual(3);
    expect(o.orderStatus).toBe('Completed');
    expect(o.remainingAmount).toBe(0n);
    expect(o.baseAmount).toBe(fills.reduce((s, t) => s + t.baseAmount, 0n));
    expect(o.quoteAmount).toBe(fills.reduce((s, t) => s + t.quoteAmount, 0n));
    expect(o.commissionAmount).toBe(fills.reduce((s, t) => s + t.commissionAmount, 0n));
    for (const t of fills) {
      const [base, quote] = marketAssets(t.marketId);
      expect(t.commissionAssetId).toBe(t.side === 'Buy' ? base : quote);
      expect(t.orderStatus).toBe('Completed');
      expect(t.executedAt > o.createdAt).toBe(true);
    }
  }
  expect(added.trades.every((t) => added.orders.some((o) => o.orderId === t.orderId))).toBe(true);

  // activity only on users the manifest does not name, never on a venue-mirrored position
  const named = new Set([...before.manifest.planted, ...before.manifest.inFlight, ...before.manifest.edgeCases].map((d) => d.userId));
  const mirrored = new Set(book.venueMappings.map((m) => key(m.userId, m.asset)));
  for (const row of [...added.transfers, ...added.trades]) expect(named.has(row.userId)).toBe(false);
  for (const t of added.transfers) expect(mirrored.has(key(t.userId, t.assetId))).toBe(false);
  for (const t of added.trades) for (const asset of marketAssets(t.marketId)) expect(mirrored.has(key(t.userId, asset))).toBe(false);

  // truth = what the history up to the new asOf implies, on exactly the positions the book holds; views = truth but at plants
  const recomputed = recomputeTruth(book);
  expect(recomputed.size).toBe(book.positions.length);
  for (const p of book.positions) expect(recomputed.get(key(p.userId, p.asset)), `${p.userId} ${p.asset}`).toEqual(p.truth);
  expect(differingPositions(book)).toEqual(
    new Set([
      ...book.manifest.planted.filter((d) => TRUTH_BREAKING.has(d.check)).map((d) => key(d.userId, d.asset)),
      ...book.manifest.inFlight.map((e) => key(e.userId, e.asset)),
    ]),
  );
  // every 18-decimal position the activity moved still uses all 18 decimals
  const moved = new Set([
    ...added.transfers.map((t) => key(t.userId, t.assetId)),
    ...added.trades.flatMap((t) => marketAssets(t.marketId).map((a) => key(t.userId, a))),
  ]);
  for (const p of book.positions) {
    if (p.scale !== 18 || !moved.has(key(p.userId, p.asset))) continue;
    expect(p.truth.amount % 10n).not.toBe(0n);
    expect(p.truth.available % 10n).not.toBe(0n);
  }

  // the oracle, re-deriving every check from the served data, finds exactly the plants: none new, none lost
  const { found, planted } = comparable(book, runChecks(book));
  expect(found).toEqual(planted);
  expect(book.manifest.planted.map((d) => `${d.check}|${d.userId}|${d.asset}|${d.field}|${d.difference}`)).toEqual(
    before.manifest.planted.map((d) => `${d.check}|${d.userId}|${d.asset}|${d.field}|${d.difference}`),
  );
}

describe('addActivity', () => {
  let book: Book;
  let first: Before;
  let firstResult: ActivityResult;
  let second: Before;
  let secondResult: ActivityResult;
  beforeAll(() => {
    book = generateBook({ users: 2000, seed: 42 });
    // build the Reporting caches first (Exact-filter indexes, per-user figures), so the checks below see them follow
    for (const report of ['transfers', 'orders', 'orders/transactions']) {
      query(book, report, [{ entryType: 'Exact', field: report === 'orders/transactions' ? 'orderId' : 'userId', values: ['x'] }]);
    }
    query(book, 'users', []);
    first = snapshot(book);
    firstResult = addActivity(book, { fraction: 0.01, advanceMs: DAY_MS, seed: 7 });
  });

  it('adds about 1% new history rows dated between the old asOf and 30 minutes before the new one, and the oracle still finds exactly the plants', () => {
    expectConsistentActivity(book, first, firstResult, DAY_MS, 0.01);
  });

  it('settles the rows in flight at the old asOf and the after-as-of deposit: both views reflect them and the manifest drops them', () => {
    expect(first.manifest.inFlight.length).toBeGreaterThanOrEqual(2);
    expect(book.manifest.inFlight).toEqual([]);
    const after = first.manifest.edgeCases.filter((e) => e.kind === 'after-as-of');
    expect(after).toHaveLength(1);
    expect(book.manifest.edgeCases).toEqual(first.manifest.edgeCases.filter((e) => e.kind !== 'after-as-of'));
    for (const e of [...first.manifest.inFlight, ...after]) {
      const p = book.index.positionByKey.get(key(e.userId, e.asset));
      expect(p?.reporting.assetAmount, `${e.userId} ${e.asset}`).toBe(p?.truth.amount);
      expect(p?.backOffice.amount).toBe(p?.truth.amount);
    }
    const deposit = book.transfers.find((t) => t.id === after[0]?.rowIds[0]);
    expect(deposit && ms(deposit.createdAt) - ms(first.asOf)).toBe(3_600_000);
  });

  it('serves the new rows to Exact userId / orderId filters with a DateRange on createdAt, through indexes built before', () => {
    const added = addedSince(book, first);
    const users = [...new Set(added.transfers.map((t) => t.userId))].slice(0, 50);
    const window = { entryType: 'DateRange', field: 'CreatedAt', from: first.asOf, to: book.asOf };
    const transfers = query(book, 'transfers', [{ entryType: 'Exact', field: 'UserId', values: users }, window]);
    expect(transfers.map((t) => t.id).sort()).toEqual(
      added.transfers
        .filter((t) => users.includes(t.userId))
        .map((t) => t.id)
        .sort(),
    );
    const orderIds = added.orders.map((o) => o.orderId);
    const trades = query(book, 'orders/transactions', [{ entryType: 'Exact', field: 'OrderId', values: orderIds }, window]);
    expect(trades.map((t) => t.executionId).sort()).toEqual(added.trades.map((t) => t.executionId).sort());
    const orderUsers = [...new Set(added.orders.map((o) => o.userId))];
    const orders = query(book, 'orders', [{ entryType: 'Exact', field: 'UserId', values: orderUsers }, window]);
    expect(orders.map((o) => o.orderId).sort()).toEqual([...orderIds].sort());
  });

  describe('called a second time', () => {
    beforeAll(() => {
      second = snapshot(book);
      secondResult = addActivity(book, { fraction: 0.01, advanceMs: DAY_MS });
    });

    it('adds another 1% after the new asOf, consistently, with nothing left in flight', () => {
      expectConsistentActivity(book, second, secondResult, DAY_MS, 0.01);
      expect(book.manifest.inFlight).toEqual([]);
      expect(book.manifest.edgeCases).toEqual(second.manifest.edgeCases);
    });
  });
});

describe('addActivity with a short advance', () => {
  it('keeps an after-as-of deposit the new asOf has not reached as an edge case, and still settles the rows in flight', () => {
    const book = generateBook({ users: 300, seed: 5 });
    const before = snapshot(book);
    const advanceMs = 40 * 60_000;
    const result = addActivity(book, { fraction: 0.01, advanceMs, seed: 1 });
    const added = addedSince(book, before);
    expect(historyRows(added)).toBeGreaterThan(0);
    for (const t of added.transfers) expect(ms(t.createdAt)).toBeLessThanOrEqual(ms(before.asOf) + 10 * 60_000);
    expect(result.asOf).toBe(new Date(ms(before.asOf) + advanceMs).toISOString().replace('Z', '000Z'));
    expect(book.manifest.inFlight).toEqual([]);
    expect(book.manifest.edgeCases).toEqual(before.manifest.edgeCases);
    const { found, planted } = comparable(book, runChecks(book));
    expect(found).toEqual(planted);
  });

  it('adds nothing when the advance leaves no room 30 minutes before the new asOf, but still moves asOf', () => {
    const book = generateBook({ users: 30, seed: 5 });
    const result = addActivity(book, { fraction: 0.5, advanceMs: 60_000 });
    expect(result.added).toEqual({ transfers: 0, orders: 0, trades: 0 });
    const { found, planted } = comparable(book, runChecks(book));
    expect(found).toEqual(planted);
  });
});

describe('addActivity options', () => {
  it('is deterministic for a book and a seed', () => {
    const run = (seed: number) => {
      const book = generateBook({ users: 200, seed: 3 });
      addActivity(book, { fraction: 0.05, advanceMs: DAY_MS, seed });
      return JSON.stringify(book.transfers.slice(-50), (_k, v: unknown) => (typeof v === 'bigint' ? `${v}` : v));
    };
    expect(run(11)).toBe(run(11));
    expect(run(11)).not.toBe(run(12));
  });

  it('with `users`, puts the same rows on only that fraction of the users: the first that activity may touch', () => {
    const book = generateBook({ users: 2000, seed: 42 });
    const before = snapshot(book);
    const result = addActivity(book, { fraction: 0.01, users: 0.01, advanceMs: DAY_MS, seed: 7 });
    expectConsistentActivity(book, before, result, DAY_MS, 0.01);
    const added = addedSince(book, before);
    const touched = new Set([...added.transfers, ...added.orders, ...added.trades].map((row) => row.userId));
    expect(touched.size).toBe(20);
    // without the option the same rows spread over many more users
    const spread = generateBook({ users: 2000, seed: 42 });
    const spreadBefore = snapshot(spread);
    addActivity(spread, { fraction: 0.01, advanceMs: DAY_MS, seed: 7 });
    const spreadAdded = addedSince(spread, spreadBefore);
    expect(new Set([...spreadAdded.transfers, ...spreadAdded.orders].map((row) => row.userId)).size).toBeGreaterThan(60);
  });

  it('with `users` too few to take the rows asked, adds as many as those users can take', () => {
    const book = generateBook({ users: 200, seed: 3 });
    const before = snapshot(book);
    const result = addActivity(book, { fraction: 1, users: 0.005, advanceMs: DAY_MS, seed: 9 });
    const added = addedSince(book, before);
    const touched = new Set([...added.transfers, ...added.orders, ...added.trades].map((row) => row.userId));
    expect(touched.size).toBe(1);
    expect(historyRows(added)).toBeGreaterThan(0);
    expect(historyRows(added)).toBeLessThan(historyRows(before));
    expect(result.added).toEqual({ transfers: added.transfers.length, orders: added.orders.length, trades: added.trades.length });
  });

  it('refuses a fraction outside (0, 1] and an advance below one minute or not whole', () => {
    const book = generateBook({ users: 5, seed: 1 });
    const asOf = book.asOf;
    for (const options of [
      { fraction: 0, advanceMs: DAY_MS },
      { fraction: 1.5, advanceMs: DAY_MS },
      { fraction: Number.NaN, advanceMs: DAY_MS },
      { fraction: 0.01, advanceMs: 59_999 },
      { fraction: 0.01, advanceMs: 60_000.5 },
      { fraction: 0.01, advanceMs: DAY_MS, seed: 1.5 },
      { fraction: 0.01, advanceMs: DAY_MS, users: 0 },
      { fraction: 0.01, advanceMs: DAY_MS, users: 1.01 },
    ]) {
      expect(() => addActivity(book, options), JSON.stringify(options)).toThrow(ActivityOptionsError);
    }
    expect(book.asOf).toBe(asOf);
  });
});
