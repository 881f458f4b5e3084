import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Amount } from '../../../lib/domain/money';
import { SourceError } from '../../../lib/ports/source-error';
import { Secret } from '../../../lib/secret';
import { DriftLog } from '../../../lib/sources/drift';
import { JsonClient } from '../../../lib/sources/http/json-client';
import type { ReportFilter } from '../../../lib/sources/reporting/filters';
import { reportingAdapter } from '../../../lib/sources/reporting/reporting-adapter';
import { ReportingClient } from '../../../lib/sources/reporting/reporting-client';
import { SANDBOX_REPORTING_TOKEN } from '../../../sandbox/credentials';
import { type RunningSandbox, startSandbox } from '../../../sandbox/server';

/**
 * The Reporting adapter against the sandbox, one test per report, each sending the request
 * example of the Reporting document (../shared/seeds/001_*) with the book's own ids.
 */
describe('ReportingClient contract (the document request examples, sandbox over HTTP)', () => {
  let sandbox: RunningSandbox;
  let reporting: ReportingClient;
  let drift: DriftLog;
  const exact = (field: string, values: string[]): ReportFilter => ({ entryType: 'Exact', field, values, exclude: false });

  beforeAll(async () => {
    sandbox = await startSandbox({ port: 0, users: 40, seed: 5 });
    drift = new DriftLog();
    const http = new JsonClient({ source: 'reporting', baseUrl: sandbox.url, concurrency: 4, timeoutMs: 5_000, retries: 0 });
    reporting = new ReportingClient(http, new Secret(SANDBOX_REPORTING_TOKEN), 15, drift);
  });
  afterAll(async () => sandbox?.close());

  it('assets-and-balances: AssetId in [btc, usdt] and AssetAmount in a range, sorted by Asset descending', async () => {
    const rows = await reporting.readAll('assets-and-balances', {
      filters: [exact('AssetId', ['btc', 'usdt']), { entryType: 'NumericRange', field: 'AssetAmount', from: '0', to: '1000000000000' }],
      sort: { field: 'Asset', direction: 'Desc' },
    });
    expect(rows.map((row) => row.assetId)).toEqual(['usdt', 'btc']);
    expect(rows.map((row) => row.assetAmountScale)).toEqual([6, 8]);
  });

  it('users: Status, Roles and a CreatedAt date range', async () => {
    const rows = await reporting.readAll('users', {
      filters: [
        exact('Status', ['Active']),
        exact('Roles', ['Trader']),
        { entryType: 'DateRange', field: 'CreatedAt', from: '2000-01-01', to: '2100-01-01' },
      ],
      sort: { field: 'CreatedAt', direction: 'Desc' },
    });
    const expected = sandbox.book.users.filter((user) => user.status === 'Active' && user.roles.includes('Trader'));
    expect(rows.map((row) => row.userId).sort()).toEqual(expected.map((user) => user.userId).sort());
  });

  it('users/balances, users/logins, orders/opened and transfers: filtered by UserId', async () => {
    const userId = sandbox.book.openOrders[0]?.userId as string;
    const balances = await reporting.readAll('users/balances', { filters: [exact('UserId', [userId])] });
    expect(balances.map((row) => row.assetId).sort()).toEqual(
      sandbox.book.positions
        .filter((position) => position.userId === userId)
        .map((position) => position.asset)
        .sort(),
    );
    expect((await reporting.readAll('users/logins', { filters: [exact('UserId', [userId])] })).every((row) => row.userId === userId)).toBe(
      true,
    );
    const opened = await reporting.readAll('orders/opened', { filters: [exact('UserId', [userId])] });
    expect(opened.map((row) => row.orderId).sort()).toEqual(
      sandbox.book.openOrders
        .filter((order) => order.userId === userId)
        .map((order) => order.orderId)
        .sort(),
    );
    const transfers = await reporting.readAll('transfers', { filters: [exact('UserId', [userId])] });
    expect(transfers.map((row) => row.id).sort()).toEqual(
      sandbox.book.transfers
        .filter((transfer) => transfer.userId === userId)
        .map((transfer) => transfer.id)
        .sort(),
    );
  });

  it('commissions, commissions/assets and commissions/users answer rows the schemas accept', async () => {
    const userId = sandbox.book.users[0]?.userId as string;
    expect(await reporting.readAll('commissions', { filters: [exact('UserId', [userId])] })).toHaveLength(1);
    expect((await reporting.readAll('commissions/assets', { filters: [exact('AssetId', ['btc'])] })).map((row) => row.assetId)).toEqual([
      'btc',
    ]);
    const users = await reporting.readAll('commissions/users', { filters: [exact('status', ['Active'])] });
    expect(users.every((row) => row.status === 'Active')).toBe(true);
  });

  it('orders: UserId and OrderStatus in [Completed, Cancelled, Reverted, Rejected]', async () => {
    const userId = sandbox.book.orders[0]?.userId as string;
    const rows = await reporting.readAll('orders', {
      filters: [exact('UserId', [userId]), exact('OrderStatus', ['Completed', 'Cancelled', 'Reverted', 'Rejected'])],
    });
    expect(rows.map((row) => row.orderId).sort()).toEqual(
      sandbox.book.orders
        .filter((order) => order.userId === userId)
        .map((order) => order.orderId)
        .sort(),
    );
  });

  it("orders/transactions: read by order id (as a run reads each page's fills), every trade exactly once with exact amounts", async () => {
    const orderIds = [...sandbox.book.orders, ...sandbox.book.openOrders].map((order) => order.orderId);
    const trades = await reportingAdapter(reporting).tradesOfOrders(orderIds);
    expect(trades).toHaveLength(sandbox.book.trades.length);
    const scaleOf = new Map(sandbox.book.assets.map((asset) => [asset.id, asset.scale]));
    const first = sandbox.book.trades[0];
    if (!first) throw new Error('the book has no trades');
    const row = trades.find((trade) => trade.executionId === first.executionId && trade.orderId === first.orderId);
    const base = first.marketId.split('_')[0] as string;
    expect(row?.baseAmount.toString()).toBe(Amount.of(first.baseAmount, scaleOf.get(base) as number).toString());
  });

  it('transfers not yet final: the adapter excludes the final statuses, and only those transfers come back', async () => {
    const adapter = reportingAdapter(reporting);
    const userIds = [...new Set(sandbox.book.transfers.map((row) => row.userId))];
    const final = ['Completed', 'Failed', 'Cancelled', 'Rejected', 'Reverted'];
    const unsettled = await adapter.transfers(userIds, { notStatus: final });
    const expected = sandbox.book.transfers.filter((row) => !final.includes(row.status)).map((row) => row.id);
    expect(expected.length).toBeGreaterThan(0);
    expect(unsettled.map((row) => row.id).sort()).toEqual([...expected].sort());
  });

  it('orders/transactions without its required filter is refused, as the document says', async () => {
    const error = await reporting.readAll('orders/transactions').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(SourceError);
    expect(error).toMatchObject({ failure: 'http-status', status: 400 });
  });

  it('counted no drift: the sandbox serves exactly the documented fields', () => {
    expect(drift.drain()).toEqual([]);
  });
});
