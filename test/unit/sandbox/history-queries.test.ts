import { beforeAll, describe, expect, it } from 'vitest';
import { addActivity } from '../../../sandbox/activity';
import { generateBook } from '../../../sandbox/book';
import type { Book } from '../../../sandbox/book-types';
import { Rng } from '../../../sandbox/random';
import { createReportingHandler } from '../../../sandbox/reporting-api';
import { reportRows } from './check-oracle';

/** The product's incremental reads, per batch of 200 users (their speed is measured by `npm run bench`, not here). */
const BATCH_USERS = 200;
const ORDER_IDS = 1000;

type Row = Record<string, string>;

describe('history queries of an incremental run, on a 30,000-user book', () => {
  let book: Book;
  let handler: ReturnType<typeof createReportingHandler>;
  const all = (report: string, filters: unknown[]) => reportRows(handler, report, filters) as Row[];
  const sample = <T>(items: readonly T[], n: number, seed: number): T[] => new Rng(seed).shuffle(items).slice(0, n);
  const since = (asOf: string, days: number) => new Date(Date.parse(asOf) - days * 86_400_000).toISOString();
  const window = (from: string, to: string) => ({ entryType: 'DateRange', field: 'CreatedAt', from, to });

  beforeAll(() => {
    book = generateBook({ users: 30_000, seed: 9 });
    handler = createReportingHandler(book);
  });

  it('answers orders by Exact UserId (200 users) and a DateRange on CreatedAt with exactly the matching orders', () => {
    const users = sample(book.users, BATCH_USERS, 1).map((u) => u.userId);
    const from = since(book.asOf, 120);
    const filters = [{ entryType: 'Exact', field: 'UserId', values: users }, window(from, book.asOf)];
    const wanted = new Set(users);
    const expected = book.orders.filter((o) => wanted.has(o.userId) && Date.parse(o.createdAt) >= Date.parse(from));
    expect(expected.length).toBeGreaterThan(0);
    expect(all('orders', filters).map((r) => r.orderId)).toEqual(expected.map((o) => o.orderId));
    expect(all('orders', filters.slice(0, 1))).toHaveLength(book.orders.filter((o) => wanted.has(o.userId)).length);
  });

  it('answers orders/transactions by Exact OrderId (1000 orders) and a DateRange on CreatedAt with exactly their fills', () => {
    const orderIds = sample(book.orders, ORDER_IDS, 2).map((o) => o.orderId);
    const from = since(book.asOf, 365);
    const filters = [{ entryType: 'Exact', field: 'OrderId', values: orderIds }, window(from, book.asOf)];
    const wanted = new Set(orderIds);
    const expected = book.trades.filter((t) => wanted.has(t.orderId) && Date.parse(t.createdAt) >= Date.parse(from));
    expect(expected.length).toBeGreaterThan(ORDER_IDS / 2);
    expect(all('orders/transactions', filters).map((r) => r.executionId)).toEqual(expected.map((t) => t.executionId));
  });

  it('answers transfers by Exact UserId (200 users) and a DateRange on CreatedAt with exactly the matching transfers', () => {
    const users = sample(book.users, BATCH_USERS, 3).map((u) => u.userId);
    const from = since(book.asOf, 200);
    const filters = [{ entryType: 'Exact', field: 'UserId', values: users }, window(from, book.asOf)];
    const wanted = new Set(users);
    const expected = book.transfers.filter((t) => wanted.has(t.userId) && Date.parse(t.createdAt) >= Date.parse(from));
    expect(expected.length).toBeGreaterThan(0);
    expect(all('transfers', filters).map((r) => r.id)).toEqual(expected.map((t) => t.id));
  });

  it('keeps answering them right after new activity (the indexes extend over the appended rows)', () => {
    const oldAsOf = book.asOf;
    addActivity(book, { fraction: 0.01, advanceMs: 86_400_000, seed: 4 });
    const news = book.transfers.filter((t) => t.createdAt > oldAsOf);
    const users = [...new Set(news.map((t) => t.userId))].slice(0, BATCH_USERS);
    const filters = [{ entryType: 'Exact', field: 'UserId', values: users }, window(oldAsOf, book.asOf)];
    expect(all('transfers', filters).map((r) => r.id)).toEqual(news.filter((t) => users.includes(t.userId)).map((t) => t.id));
    const orderIds = book.orders.filter((o) => o.createdAt > oldAsOf).map((o) => o.orderId);
    const trades = all('orders/transactions', [{ entryType: 'Exact', field: 'OrderId', values: orderIds }, window(oldAsOf, book.asOf)]);
    expect(trades.map((t) => t.executionId)).toEqual(book.trades.filter((t) => t.executedAt > oldAsOf).map((t) => t.executionId));
  });
});
