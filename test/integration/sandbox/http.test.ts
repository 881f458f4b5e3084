import Decimal from 'decimal.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Book, Position } from '../../../sandbox/book-types';
import {
  SANDBOX_BACKOFFICE_TOKEN,
  SANDBOX_INDX_LOGIN,
  SANDBOX_INDX_PASSWORD,
  SANDBOX_MULTIMARKETS_COMPANY_ID,
  SANDBOX_REPORTING_TOKEN,
} from '../../../sandbox/credentials';
import { type RunningSandbox, startSandbox } from '../../../sandbox/server';
import { backOfficeHeaders, callSandbox, reportingHeaders, sha256Base64 } from '../../support/sandbox-http';

const D = Decimal.clone({ precision: 200 });
const literal = (units: bigint, scale: number): string => new D(units.toString()).div(new D(10).pow(scale)).toFixed();
const backOffice = backOfficeHeaders;
const reporting = reportingHeaders;

describe('the sandbox over real HTTP', () => {
  let sandbox: RunningSandbox;
  let book: Book;

  const call = (method: string, path: string, headers: Record<string, string>, body?: unknown) =>
    callSandbox(sandbox.url, method, path, headers, body);
  const report = (name: string, body: unknown) => call('POST', `/back-api/reporting/reports/data/${name}`, reporting, body);
  /** Walks every page of a report the way the product is told to: stop on page × per_page ≥ total or an empty page. */
  const readAll = async (name: string, body: Record<string, unknown>, perPage: number) => {
    const rows: Record<string, unknown>[] = [];
    const totals = new Set<number>();
    for (let page = 1; ; page++) {
      const answer = await report(name, { ...body, paging: { page, per_page: perPage } });
      expect(answer.status).toBe(200);
      totals.add(answer.json.paging.total);
      rows.push(...answer.json.data);
      if (answer.json.data.length === 0 || page * perPage >= answer.json.paging.total) break;
    }
    return { rows, totals };
  };
  const whale = (): Position => {
    const p = book.positions.find((x) => x.truth.amount / 10n ** BigInt(x.scale) > 2n ** 53n);
    if (!p) throw new Error('no position above 2^53');
    return p;
  };

  beforeAll(async () => {
    sandbox = await startSandbox({ port: 0, users: 60, seed: 42 });
    book = sandbox.book;
  });
  afterAll(async () => {
    await sandbox.close();
  });

  describe('authentication', () => {
    it('answers 401 with a JSON error when the bearer token is missing, wrong, or belongs to the other API', async () => {
      const userId = (book.users[0] as { userId: string }).userId;
      const answers = await Promise.all([
        call('GET', `/back-api/backoffice/user/${userId}/balance/`, {}),
        call('GET', `/back-api/backoffice/user/${userId}/balance/`, { authorization: `Bearer ${SANDBOX_REPORTING_TOKEN}` }),
        call('POST', '/back-api/backoffice/balances', { authorization: 'Bearer nope' }, { userIds: [userId] }),
        call('POST', '/back-api/reporting/reports/data/users', { authorization: `Bearer ${SANDBOX_BACKOFFICE_TOKEN}` }, {}),
      ]);
      for (const a of answers) {
        expect(a.status).toBe(401);
        expect(typeof a.json.error).toBe('string');
      }
    });
  });

  describe('back office', () => {
    it('writes each available amount as a bare JSON number literal with every digit exact, with or without the trailing slash', async () => {
      const w = whale();
      const expected = (book.index.positionsByUser.get(w.userId) ?? [])
        .filter((p) => p.inBackOffice)
        .map((p) => `{"asset":"${p.asset}","balance":${literal(p.backOffice.available, p.scale)}}`);
      const withSlash = await call('GET', `/back-api/backoffice/user/${w.userId}/balance/`, backOffice);
      const withoutSlash = await call('GET', `/back-api/backoffice/user/${w.userId}/balance`, backOffice);
      expect(withSlash.status).toBe(200);
      expect(withSlash.text).toBe(`[${expected.join(',')}]`);
      expect(withoutSlash.text).toBe(withSlash.text);
      // the literal is beyond what a JS number can hold: a naive JSON.parse would change it
      const shib = literal(w.backOffice.available, w.scale);
      expect(String(Number(shib))).not.toBe(shib);
    });

    it('answers 404 with "User with id:… not found." for an unknown user, and for the user the presence plant hides from it', async () => {
      const answer = await call('GET', '/back-api/backoffice/user/00000000-0000-0000-0000-000000000000/balance/', backOffice);
      expect(answer.status).toBe(404);
      expect(answer.json).toEqual({ error: 'User with id:00000000-0000-0000-0000-000000000000 not found.' });
      const hidden = book.manifest.planted.find((d) => d.field === 'user-not-found');
      if (!hidden) throw new Error('no user-not-found plant');
      const get = await call('GET', `/back-api/backoffice/user/${hidden.userId}/balance/`, backOffice);
      expect(get.status).toBe(404);
      expect(get.json).toEqual({ error: `User with id:${hidden.userId} not found.` });
      const post = await call('POST', '/back-api/backoffice/balances', backOffice, { userIds: [hidden.userId] });
      expect(post.json.data).toEqual([{ userId: hidden.userId, error: `User with id:${hidden.userId} not found.` }]);
      const listed = await report('users', { filters: [{ entryType: 'Exact', field: 'userId', values: [hidden.userId] }] });
      expect(listed.json.data).toHaveLength(1);
    });

    it('answers POST balances with amount and locked per asset, and the not-found entry for an unknown id', async () => {
      const p = book.positions.find(
        (x) => x.asset === 'usdt' && x.inBackOffice && !book.overrides.unknownToBackOffice.has(x.userId),
      ) as Position;
      const user = book.index.usersById.get(p.userId);
      const answer = await call('POST', '/back-api/backoffice/balances', backOffice, { asset: 'usdt', userIds: [p.userId, 'missing-id'] });
      expect(answer.status).toBe(200);
      expect(answer.json.filters).toEqual({ userIds: [p.userId, 'missing-id'] });
      expect(answer.json.paging).toEqual({ page: 1, per_page: 2, total: 2 });
      expect(answer.json.data[0]).toMatchObject({
        userId: p.userId,
        userName: user?.username,
        userEmail: user?.email,
        userRoles: user?.roles,
        rootAsset: 'usd',
      });
      expect(answer.json.data[0].balances).toEqual([
        {
          asset: 'usdt',
          amount: literal(p.backOffice.amount, 6),
          locked: literal(p.backOffice.locked, 6),
          fundsInRootAsset: new D(literal(p.backOffice.amount, 6)).times('1.00054946').toDecimalPlaces(8, Decimal.ROUND_HALF_UP).toFixed(8),
        },
      ]);
      expect(answer.json.data[0].totalFundsInRootAsset).toBeUndefined();
      expect(answer.json.data[1]).toEqual({ userId: 'missing-id', error: 'User with id:missing-id not found.' });
    });

    it('shows totalFundsInRootAsset only when no asset filter was applied (even one naming every asset is one), and pages over the requested ids', async () => {
      const ids = book.users
        .filter((u) => !book.overrides.unknownToBackOffice.has(u.userId) && !book.overrides.totalFundsInRootAsset.has(u.userId))
        .slice(0, 3)
        .map((u) => u.userId);
      const all = await call('POST', '/back-api/backoffice/balances', backOffice, { userIds: ids });
      for (const entry of all.json.data) {
        const sum = entry.balances.reduce((s: Decimal, b: { fundsInRootAsset: string }) => s.plus(b.fundsInRootAsset), new D(0));
        expect(new D(entry.totalFundsInRootAsset).eq(sum)).toBe(true);
      }
      const filtered = await call('POST', '/back-api/backoffice/balances', backOffice, {
        asset: ['usd', 'usdt', 'btc', 'eth', 'ada', 'shib'],
        userIds: ids,
      });
      expect(filtered.json.data.map((entry: { balances: unknown[] }) => entry.balances.length)).toEqual(
        all.json.data.map((entry: { balances: unknown[] }) => entry.balances.length),
      );
      for (const entry of filtered.json.data) expect(entry.totalFundsInRootAsset).toBeUndefined();
      const second = await call('POST', '/back-api/backoffice/balances', backOffice, { userIds: ids, paging: { page: 2, per_page: 1 } });
      expect(second.json.paging).toEqual({ page: 2, per_page: 1, total: 3 });
      expect(second.json.data.map((e: { userId: string }) => e.userId)).toEqual([ids[1]]);
    });

    it('serves the planted back-office total and leaves out the position hidden from the back office', async () => {
      const total = book.manifest.planted.find((d) => d.field === 'totalFundsInRootAsset');
      const hidden = book.manifest.planted.find((d) => d.field === 'absent-from-backoffice');
      if (!total || !hidden) throw new Error('missing plants');
      const answer = await call('POST', '/back-api/backoffice/balances', backOffice, { userIds: [total.userId, hidden.userId] });
      const [first, second] = answer.json.data;
      const sum = first.balances.reduce((s: Decimal, b: { fundsInRootAsset: string }) => s.plus(b.fundsInRootAsset), new D(0));
      expect(sum.eq(total.expected)).toBe(true);
      expect(new D(first.totalFundsInRootAsset).eq(total.actual)).toBe(true);
      expect(second.balances.map((b: { asset: string }) => b.asset)).not.toContain(hidden.asset);
      const get = await call('GET', `/back-api/backoffice/user/${hidden.userId}/balance/`, backOffice);
      expect(get.json.map((b: { asset: string }) => b.asset)).not.toContain(hidden.asset);
    });
  });

  describe('reporting', () => {
    it('walks every page of users/balances and the rows add up to the positions, with a constant total', async () => {
      const { rows, totals } = await readAll('users/balances', { filters: [] }, 7);
      expect(book.reportingPositions.length).toBe(book.positions.length - 1);
      expect([...totals]).toEqual([book.reportingPositions.length]);
      expect(rows).toHaveLength(book.reportingPositions.length);
      expect(rows[0]).not.toHaveProperty('userId');
      expect(Object.keys(rows[0] ?? {})).toEqual([
        'assetId',
        'assetName',
        'assetAmount',
        'lockedAssetAmount',
        'availableAssetAmount',
        'assetAmountInRAT',
        'lockedAssetAmountInRAT',
        'availableAssetAmountInRAT',
        'rateToRootAsset',
      ]);
      const beyond = await report('users/balances', { paging: { page: 1000, per_page: 7 } });
      expect(beyond.json.data).toEqual([]);
    });

    it('defaults to page 1 of 15, clamps per_page to 1..1000, accepts perPage, and spells perPage in commissions and orders/transactions', async () => {
      expect((await report('users', {})).json.paging).toEqual({ page: 1, per_page: 15, total: 60 });
      expect((await report('users', { paging: { page: 1, per_page: 5000 } })).json.paging.per_page).toBe(1000);
      expect((await report('users', { paging: { page: 1, per_page: 0 } })).json.paging.per_page).toBe(1);
      expect((await report('users', { paging: { page: 2, perPage: 10 } })).json.paging).toEqual({ page: 2, per_page: 10, total: 60 });
      expect((await report('commissions', {})).json.paging).toEqual({ page: 1, perPage: 15, total: 1 });
      const trades = await report('orders/transactions', {
        filters: [{ entryType: 'Exact', field: 'CommissionAssetId', values: ['usdt'], exclude: false }],
      });
      expect(trades.json.paging).toHaveProperty('perPage');
      expect(trades.json.paging).not.toHaveProperty('per_page');
    });

    it('filters users/balances by a UserId it does not show, matching the field name case-insensitively', async () => {
      const userId = (book.users[3] as { userId: string }).userId;
      for (const field of ['UserId', 'userid']) {
        const answer = await report('users/balances', { filters: [{ entryType: 'Exact', field, values: [userId], exclude: false }] });
        expect(answer.json.data.map((r: { assetId: string }) => r.assetId)).toEqual(
          (book.index.positionsByUser.get(userId) ?? []).filter((p) => p.inReporting).map((p) => p.asset),
        );
      }
    });

    it('applies an Exact filter with exclude: true as "everything but these values"', async () => {
      const { rows } = await readAll(
        'users',
        { filters: [{ entryType: 'Exact', field: 'Status', values: ['Active'], exclude: true }] },
        50,
      );
      expect(rows.length).toBe(book.users.filter((u) => u.status !== 'Active').length);
      expect(rows.length).toBeGreaterThan(0);
      expect(rows.every((r) => r.status !== 'Active')).toBe(true);
    });

    it('compares NumericRange bounds as exact decimals, down to the 18th decimal of a value above 2^53', async () => {
      const w = whale();
      const amount = literal(w.reporting.assetAmount, w.scale);
      const oneMore = literal(w.reporting.assetAmount + 1n, w.scale);
      const range = (from: string, to?: string) =>
        readAll('users/balances', { filters: [{ entryType: 'NumericRange', field: 'AssetAmount', from, ...(to && { to }) }] }, 100);
      const exact = await range(amount, amount);
      expect(exact.rows.map((r) => r.assetAmount)).toEqual([amount]);
      const above = await range(oneMore);
      expect(above.rows.some((r) => r.assetAmount === amount)).toBe(false);
      const expectedCount = book.reportingPositions.filter((p) => new D(literal(p.reporting.assetAmount, p.scale)).gte(amount)).length;
      expect((await range(amount)).rows).toHaveLength(expectedCount);
    });

    it('keeps DateRange rows within the bounds, a date-only "to" covering that whole day', async () => {
      const from = '2023-06-01';
      const to = '2023-12-31';
      const { rows } = await readAll('transfers', { filters: [{ entryType: 'DateRange', field: 'createdAt', from, to }] }, 200);
      const expected = book.transfers.filter(
        (t) => t.createdAt >= '2023-06-01T00:00:00.000000Z' && t.createdAt < '2024-01-01T00:00:00.000000Z',
      );
      expect(rows.length).toBe(expected.length);
      expect(rows.length).toBeGreaterThan(0);
      expect(rows.map((r) => r.id)).toEqual(expected.map((t) => t.id));
    });

    it('lists the in-flight rows and the deposit after asOf in transfers; a DateRange up to asOf leaves only the latter out', async () => {
      const after = book.manifest.edgeCases.find((e) => e.kind === 'after-as-of');
      const inFlightIds = book.manifest.inFlight.flatMap((e) => e.explainedBy);
      if (!after) throw new Error('no after-as-of edge case');
      const all = await readAll('transfers', { filters: [] }, 1000);
      const upToAsOf = await readAll('transfers', { filters: [{ entryType: 'DateRange', field: 'createdAt', to: book.asOf }] }, 1000);
      expect(all.rows.length).toBe(upToAsOf.rows.length + 1);
      const row = all.rows.find((r) => r.id === after.rowIds[0]);
      expect(row).toMatchObject({ userId: after.userId, assetId: after.asset, type: 'Deposit', status: 'Completed' });
      expect(upToAsOf.rows.some((r) => r.id === after.rowIds[0])).toBe(false);
      const listedIds = new Set(upToAsOf.rows.map((r) => r.id as string));
      const trades = await report('orders/transactions', {
        filters: [{ entryType: 'Exact', field: 'commissionAssetId', values: ['usd', 'usdt', 'btc', 'eth', 'ada', 'shib'] }],
        paging: { page: 1, perPage: 1000 },
      });
      for (const t of trades.json.data) listedIds.add(t.executionId);
      for (const id of inFlightIds) expect(listedIds.has(id), id).toBe(true);
    });

    it('sorts by a numeric field by exact value in both directions, and by a date field', async () => {
      const desc = await readAll('users/balances', { sort: { field: 'AssetAmountInRAT', direction: 'Desc' } }, 1000);
      const values = desc.rows.map((r) => new D(r.assetAmountInRAT as string));
      for (let i = 1; i < values.length; i++) expect((values[i - 1] as Decimal).gte(values[i] as Decimal)).toBe(true);
      const asc = await readAll('users', { sort: { field: 'CreatedAt', direction: 'Asc' } }, 25);
      const created = asc.rows.map((r) => r.createdAt as string);
      expect(created).toEqual([...created].sort());
      const echo = await report('users', { sort: { field: 'CreatedAt', direction: 'Asc' } });
      expect(echo.json.sort).toEqual({ field: 'CreatedAt', direction: 'Asc' });
    });

    it('answers 400 naming an unknown filter field, and for orders/transactions without an orderId or commissionAssetId filter', async () => {
      const unknown = await report('orders', { filters: [{ entryType: 'Exact', field: 'Colour', values: ['red'] }] });
      expect(unknown.status).toBe(400);
      expect(unknown.json.error).toContain('Colour');
      const unfiltered = await report('orders/transactions', { filters: [] });
      expect(unfiltered.status).toBe(400);
      expect(unfiltered.json.error).toMatch(/orderId or commissionAssetId/);
      const byOrder = await report('orders/transactions', {
        filters: [{ entryType: 'Exact', field: 'OrderId', values: [(book.orders[0] as { orderId: string }).orderId] }],
      });
      expect(byOrder.status).toBe(200);
      expect(byOrder.json.data.map((t: { executionId: string }) => t.executionId)).toEqual(
        (book.orders[0] as { executionIds: string[] }).executionIds,
      );
    });

    it('sums assets-and-balances over the listed positions of Trader, User and Market Maker users only (but the two planted totals), with the scale as a string', async () => {
      const answer = await report('assets-and-balances', {});
      const counted = new Set(['Trader', 'User', 'Market Maker']);
      const planted = new Map(book.manifest.planted.filter((d) => d.check === 'asset-totals').map((d) => [d.asset, d]));
      expect(planted.size).toBe(2);
      for (const row of answer.json.data) {
        const sum = book.reportingPositions
          .filter((p) => p.asset === row.assetId && book.index.usersById.get(p.userId)?.roles.some((r) => counted.has(r)))
          .reduce((s, p) => s.plus(literal(p.reporting.assetAmount, p.scale)), new D(0));
        const plant = planted.get(row.assetId);
        if (plant) {
          expect(sum.eq(plant.expected)).toBe(true);
          expect(new D(row.assetAmount).eq(plant.actual)).toBe(true);
        } else expect(new D(row.assetAmount).eq(sum)).toBe(true);
        expect(typeof row.assetAmountScale).toBe('string');
        expect(row.rootAsset).toBe('usd');
      }
    });

    it('answers 400 with a JSON error for malformed JSON on every upstream, and keeps serving', async () => {
      const bad = '{"filters": [';
      const answers = await Promise.all([
        call('POST', '/back-api/reporting/reports/data/users', reporting, bad),
        call('POST', '/back-api/backoffice/balances', backOffice, bad),
        call(
          'POST',
          '/api/cats-gateway/get-user-amount',
          { trace: 't', companyId: SANDBOX_MULTIMARKETS_COMPANY_ID, timestamp: String(Date.now()) },
          bad,
        ),
        call('POST', '/api/v2/trade/Balance', {}, bad),
      ]);
      for (const a of answers) {
        expect(a.status).toBe(400);
        expect(a.json).toBeTypeOf('object');
      }
      expect((await call('GET', '/__sandbox/health', {})).json).toEqual({ ok: true });
    });
  });

  describe('MultiMarkets', () => {
    const headers = (extra: Record<string, string> = {}) => ({
      trace: 'trace-1',
      companyId: SANDBOX_MULTIMARKETS_COMPANY_ID,
      timestamp: String(Date.now()),
      'content-type': 'application/json',
      ...extra,
    });

    it('answers a known account with the ok envelope, echoing trace and giving the amount at amount_digits', async () => {
      const a = book.multiMarketsAccounts[0];
      if (!a) throw new Error('no MultiMarkets account');
      const answer = await call('POST', '/api/cats-gateway/get-user-amount', headers(), {
        thirdServerCode: a.thirdServerCode,
        userName: a.userName,
        currency: a.currency,
      });
      expect(answer.status).toBe(200);
      expect(answer.json).toMatchObject({
        trace: 'trace-1',
        ok: true,
        fail: false,
        data: {
          amount: new D(a.amount.toString()).div(new D(10).pow(a.amountDigits)).toFixed(a.amountDigits),
          currency: a.currency,
          amount_digits: a.amountDigits,
          user_name: a.userName,
        },
      });
      expect(Object.keys(answer.json)).toEqual(['msg', 'code', 'bizCode', 'trace', 'msgParams', 'tm', 'data', 'ok', 'fail']);
    });

    it('answers an unknown account, a wrong companyId and a malformed timestamp with the failure envelope', async () => {
      const a = book.multiMarketsAccounts[0];
      if (!a) throw new Error('no MultiMarkets account');
      const body = { thirdServerCode: a.thirdServerCode, userName: '99999999', currency: a.currency };
      const answers = await Promise.all([
        call('POST', '/api/cats-gateway/get-user-amount', headers(), body),
        call('POST', '/api/cats-gateway/get-user-amount', headers({ companyId: '7' }), { ...body, userName: a.userName }),
        call('POST', '/api/cats-gateway/get-user-amount', headers({ timestamp: '12345' }), { ...body, userName: a.userName }),
      ]);
      for (const x of answers) {
        expect(x.json).toMatchObject({ ok: false, fail: true, data: null });
        expect(x.json.code).not.toBe('0');
      }
      expect(new Set(answers.map((x) => x.json.code)).size).toBe(3);
    });

    it('answers the 101st request within 60 s with 429 and Retry-After, then 418 (IP banned) to anything sent during the penalty', async () => {
      const own = await startSandbox({ port: 0, book });
      try {
        const a = book.multiMarketsAccounts[0];
        if (!a) throw new Error('no MultiMarkets account');
        const send = () =>
          fetch(`${own.url}/api/cats-gateway/get-user-amount`, {
            method: 'POST',
            headers: headers(),
            body: JSON.stringify({ thirdServerCode: a.thirdServerCode, userName: a.userName, currency: a.currency }),
          });
        const first = await Promise.all(Array.from({ length: 100 }, () => send().then((r) => r.status)));
        expect(first.every((s) => s === 200)).toBe(true);
        const throttled = await send();
        expect(throttled.status).toBe(429);
        expect(Number(throttled.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
        expect(Number(throttled.headers.get('retry-after'))).toBeLessThanOrEqual(60);
        const banned = await send();
        expect(banned.status).toBe(418);
        expect(Number(banned.headers.get('retry-after'))).toBeGreaterThan(60);
        expect((await send()).status).toBe(418);
        const stats = (await (await fetch(`${own.url}/__sandbox/stats`)).json()) as {
          multimarkets: unknown;
          requests: Record<string, number>;
        };
        expect(stats.multimarkets).toEqual({ tooManyRequests: 1, banned: 2 });
        expect(stats.requests['POST /api/cats-gateway/get-user-amount']).toBe(103);
      } finally {
        await own.close();
      }
    });
  });

  describe('INDX', () => {
    const balance = (ctx: Record<string, string>) =>
      call('POST', '/api/v2/trade/Balance', { 'content-type': 'application/json' }, { ApiContext: ctx });
    const signed = (wmid: string, overrides: Partial<Record<'Login' | 'Password' | 'Culture', string>> = {}) => {
      const ctx = { Login: SANDBOX_INDX_LOGIN, Password: SANDBOX_INDX_PASSWORD, Culture: 'en-EN', Wmid: wmid, ...overrides };
      return { ...ctx, Signature: sha256Base64(`${ctx.Login};${ctx.Password};${ctx.Culture};${ctx.Wmid}`) };
    };

    it('uses the document test vector: SHA256 of 1234567890AaBb in Base64 is Q+ylxnY9VUUqgEalgyEQS9oD2WgOgzA6LofVvjYPhFQ=', () => {
      expect(sha256Base64('1234567890AaBb')).toBe('Q+ylxnY9VUUqgEalgyEQS9oD2WgOgzA6LofVvjYPhFQ=');
    });

    it('answers a signed request with code 0 and wmz, price and notes as exact JSON number literals', async () => {
      const a = book.indxAccounts[0];
      if (!a) throw new Error('no INDX account');
      const answer = await balance(signed(a.wmid));
      expect(answer.status).toBe(200);
      expect(answer.json).toMatchObject({ code: 0, desc: 'Success', value: { wmid: a.wmid, nickname: a.nickname } });
      expect(answer.text).toContain(`"wmz":${literal(a.wmz, 2)}`);
      for (const i of a.portfolio)
        expect(answer.text).toContain(`"id":${i.id},"name":"${i.name}","notes":${literal(i.notes, i.scale)},"price":`);
      expect(answer.text).toMatch(/"balance":\{"price":-?\d+(\.\d+)?,"wmz":/);
    });

    it('answers −4 for a bad signature, −2 for wrong credentials and −3 for an unknown WMID', async () => {
      const a = book.indxAccounts[0];
      if (!a) throw new Error('no INDX account');
      const bad = await balance({ ...signed(a.wmid), Signature: sha256Base64('1234567890AaBb') });
      expect(bad.json).toMatchObject({ code: -4, desc: 'incorrect request signature' });
      const wrongPassword = await balance(signed(a.wmid, { Password: 'guess' }));
      expect(wrongPassword.json).toMatchObject({ code: -2, desc: 'access denied' });
      const unknown = await balance(signed('000000000000'));
      expect(unknown.json).toMatchObject({ code: -3 });
    });
  });

  describe('control routes', () => {
    it('serves the manifest, health and per-route request counts', async () => {
      const manifest = await call('GET', '/__sandbox/manifest', {});
      expect(manifest.json).toEqual(JSON.parse(JSON.stringify(book.manifest)));
      expect(manifest.json.planted).toHaveLength(sandbox.book.manifest.planted.length);
      expect(manifest.json.planted.length).toBeGreaterThanOrEqual(5);
      for (const check of [
        'amount-split',
        'cross-source',
        'roll-forward',
        'locked-orders',
        'venue-multimarkets',
        'venue-indx',
        'root-asset',
        'asset-totals',
        'presence',
        'sanity',
      ])
        expect(manifest.json.planted.filter((d: { check: string }) => d.check === check).length, check).toBeGreaterThanOrEqual(2);
      expect(manifest.json.inFlight).toHaveLength(book.manifest.inFlight.length);
      expect(manifest.json.inFlight.length).toBeGreaterThanOrEqual(2);
      expect(manifest.json.edgeCases.map((e: { kind: string }) => e.kind).sort()).toEqual([
        'after-as-of',
        'cancelled-with-fills',
        'cancelled-with-fills',
      ]);
      const before = (await call('GET', '/__sandbox/stats', {})).json.requests['POST /back-api/reporting/reports/data/users/logins'] ?? 0;
      await report('users/logins', {});
      const after = (await call('GET', '/__sandbox/stats', {})).json.requests['POST /back-api/reporting/reports/data/users/logins'];
      expect(after).toBe(before + 1);
      expect((await call('GET', '/__sandbox/nope', {})).status).toBe(404);
    });
  });
});
