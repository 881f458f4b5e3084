import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningSandbox, startSandbox } from '../../../sandbox/server';
import { callSandbox, reportingHeaders } from '../../support/sandbox-http';

describe('new activity and the served-rows stats over real HTTP', () => {
  let sandbox: RunningSandbox;

  const call = (method: string, path: string, body?: unknown, headers: Record<string, string> = { 'content-type': 'application/json' }) =>
    callSandbox(sandbox.url, method, path, headers, body);
  const readAll = async (report: string, filters: unknown[]) => {
    const rows: Record<string, string>[] = [];
    for (let page = 1; ; page++) {
      const answer = await call(
        'POST',
        `/back-api/reporting/reports/data/${report}`,
        { filters, paging: { page, per_page: 100 } },
        reportingHeaders,
      );
      expect(answer.status).toBe(200);
      rows.push(...answer.json.data);
      // The server caps its pages (15 by default): follow the page size it answered, not the one asked.
      const answered = answer.json.paging.per_page ?? answer.json.paging.perPage;
      if (answer.json.data.length === 0 || page * answered >= answer.json.paging.total) return rows;
    }
  };

  beforeAll(async () => {
    sandbox = await startSandbox({ port: 0, users: 200, seed: 3 });
  });
  afterAll(async () => {
    await sandbox.close();
  });

  it('refuses a body it cannot use with 400 and a message saying why, and leaves the book alone', async () => {
    const asOf = sandbox.book.asOf;
    const refusals: [unknown, RegExp][] = [
      ['{"fraction": 0.01,', /Malformed JSON/],
      [[], /JSON object/],
      [{ advanceMs: 86_400_000 }, /fraction is required/],
      [{ fraction: 0.01 }, /advanceMs is required/],
      [{ fraction: 0, advanceMs: 86_400_000 }, /fraction must be a number in \(0, 1\], got 0/],
      [{ fraction: 1.01, advanceMs: 86_400_000 }, /fraction must be a number in \(0, 1\]/],
      [{ fraction: '0.01', advanceMs: 86_400_000 }, /fraction must be a JSON number/],
      [{ fraction: 0.01, advanceMs: 59_999 }, /advanceMs must be an integer from 60000/],
      [{ fraction: 0.01, advanceMs: 86_400_000.5 }, /advanceMs must be an integer/],
      [{ fraction: 0.01, advanceMs: 86_400_000, seed: 'x' }, /seed must be a JSON number/],
    ];
    for (const [body, message] of refusals) {
      const answer = await call('POST', '/__sandbox/activity', body);
      expect(answer.status, JSON.stringify(body)).toBe(400);
      expect(answer.json.error).toMatch(message);
    }
    expect((await call('GET', '/__sandbox/activity')).status).toBe(404);
    expect(sandbox.book.asOf).toBe(asOf);
  });

  it('adds about 1% of new rows, moves asOf and the manifest, and the stats count the rows the book now holds', async () => {
    const before = (await call('GET', '/__sandbox/stats')).json.book;
    const oldManifest = (await call('GET', '/__sandbox/manifest')).json;
    expect(oldManifest.inFlight.length).toBeGreaterThan(0);
    const answer = await call('POST', '/__sandbox/activity', { fraction: 0.01, advanceMs: 86_400_000, seed: 5 });
    expect(answer.status).toBe(200);
    const { asOf, added, rows } = answer.json;
    expect(Date.parse(asOf) - Date.parse(before.asOf)).toBe(86_400_000);
    expect(rows).toEqual({
      transfers: before.transfers + added.transfers,
      orders: before.orders + added.orders,
      trades: before.trades + added.trades,
    });
    const grown = (added.transfers + added.orders + added.trades) / (before.transfers + before.orders + before.trades);
    expect(grown).toBeGreaterThanOrEqual(0.01);
    expect(grown).toBeLessThan(0.0125);
    const after = (await call('GET', '/__sandbox/stats')).json.book;
    expect(after).toMatchObject({ asOf, revision: before.revision + 1, ...rows, users: before.users, positions: before.positions });
    const manifest = (await call('GET', '/__sandbox/manifest')).json;
    expect(manifest.asOf).toBe(asOf);
    expect(manifest.inFlight).toEqual([]);
    expect(manifest.edgeCases.map((e: { kind: string }) => e.kind)).not.toContain('after-as-of');
    expect(manifest.planted.length).toBe(oldManifest.planted.length);

    // the product's incremental read: the rows newer than the old asOf (the new ones and the deposit that was after it)
    const fresh = await readAll('transfers', [{ entryType: 'DateRange', field: 'CreatedAt', from: before.asOf, to: asOf }]);
    const afterOldAsOf = oldManifest.edgeCases.filter((e: { kind: string }) => e.kind === 'after-as-of');
    expect(afterOldAsOf).toHaveLength(1);
    expect(fresh.length).toBe(added.transfers + 1);
    expect(fresh.map((t) => t.id)).toContain(afterOldAsOf[0].rowIds[0]);
    const users = [...new Set(fresh.map((t) => t.userId))];
    const byUsers = await readAll('transfers', [
      { entryType: 'Exact', field: 'UserId', values: users },
      { entryType: 'DateRange', field: 'CreatedAt', from: before.asOf, to: asOf },
    ]);
    expect(byUsers.map((t) => t.id).sort()).toEqual(fresh.map((t) => t.id).sort());
  });

  it('counts the rows each Reporting endpoint served, and resets every counter on POST /__sandbox/reset-stats', async () => {
    expect((await call('POST', '/__sandbox/reset-stats')).json).toEqual({ ok: true });
    const cleared = (await call('GET', '/__sandbox/stats')).json;
    expect(cleared.reportingRows).toEqual({ total: 0, byReport: {} });
    expect(cleared.requests).toEqual({ 'GET /__sandbox/stats': 1 });
    expect(cleared.totalRequests).toBe(1);

    const orderIds = sandbox.book.orders.slice(0, 150).map((o) => o.orderId);
    const trades = await readAll('orders/transactions', [{ entryType: 'Exact', field: 'OrderId', values: orderIds }]);
    const orders = await readAll('orders', [{ entryType: 'Exact', field: 'orderId', values: orderIds }]);
    const transfers = await readAll('transfers', []);
    expect(orders).toHaveLength(150);
    const stats = (await call('GET', '/__sandbox/stats')).json;
    expect(stats.reportingRows).toEqual({
      total: trades.length + orders.length + transfers.length,
      byReport: { orders: orders.length, 'orders/transactions': trades.length, transfers: transfers.length },
    });
    expect(stats.reportingRows.byReport.transfers).toBe(stats.book.transfers);
  });
});
