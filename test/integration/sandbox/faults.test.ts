import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Book, Position } from '../../../sandbox/book-types';
import { SANDBOX_INDX_LOGIN, SANDBOX_INDX_PASSWORD, SANDBOX_MULTIMARKETS_COMPANY_ID } from '../../../sandbox/credentials';
import { type FaultRule, FaultRuleError, type FaultRuleStatus, NON_JSON_BODY } from '../../../sandbox/faults';
import { type RunningSandbox, startSandbox } from '../../../sandbox/server';
import type { SandboxStatsSnapshot } from '../../../sandbox/stats';
import { backOfficeHeaders, callSandbox, reportingHeaders, sha256Base64 } from '../../support/sandbox-http';

const backOffice = backOfficeHeaders;
const reporting = reportingHeaders;

describe('sandbox fault modes over real HTTP', () => {
  let sandbox: RunningSandbox;
  let book: Book;
  // the sandbox's clock (rate limiter, MultiMarkets `tm`): tests move it instead of waiting out Retry-After
  let clock = Date.UTC(2024, 6, 1);

  const call = (method: string, path: string, headers: Record<string, string>, body?: unknown, signal?: AbortSignal, url = sandbox.url) =>
    callSandbox(url, method, path, headers, body, signal);
  const report = (name: string, body: unknown, signal?: AbortSignal) =>
    call('POST', `/back-api/reporting/reports/data/${name}`, reporting, body, signal);
  const userBalance = (userId: string) => call('GET', `/back-api/backoffice/user/${userId}/balance/`, backOffice);
  const balances = (body: unknown, signal?: AbortSignal) => call('POST', '/back-api/backoffice/balances', backOffice, body, signal);
  const multimarkets = (url = sandbox.url) => {
    const a = book.multiMarketsAccounts[0];
    if (!a) throw new Error('no MultiMarkets account');
    return call(
      'POST',
      '/api/cats-gateway/get-user-amount',
      { trace: 'trace-1', companyId: SANDBOX_MULTIMARKETS_COMPANY_ID, timestamp: String(clock), 'content-type': 'application/json' },
      { thirdServerCode: a.thirdServerCode, userName: a.userName, currency: a.currency },
      undefined,
      url,
    );
  };
  const indx = (signal?: AbortSignal, url = sandbox.url) => {
    const a = book.indxAccounts[0];
    if (!a) throw new Error('no INDX account');
    // The trader's own credentials when it has them (the first traders of every book do), else the shared ones.
    const own = a.credentials;
    const ctx = own
      ? { Login: own.login, Password: own.password, Culture: own.culture, Wmid: a.wmid }
      : { Login: SANDBOX_INDX_LOGIN, Password: SANDBOX_INDX_PASSWORD, Culture: 'en-EN', Wmid: a.wmid };
    const Signature = sha256Base64(`${ctx.Login};${ctx.Password};${ctx.Culture};${ctx.Wmid}`);
    return call(
      'POST',
      '/api/v2/trade/Balance',
      { 'content-type': 'application/json' },
      { ApiContext: { ...ctx, Signature } },
      signal,
      url,
    );
  };
  /** Replaces the rules over the control route (the body may be raw JSON text, to send exact number literals). */
  const setFaults = async (rules: unknown[] | string): Promise<FaultRuleStatus[]> => {
    const answer = await call(
      'POST',
      '/__sandbox/faults',
      { 'content-type': 'application/json' },
      typeof rules === 'string' ? rules : { rules },
    );
    expect(answer.status, answer.text).toBe(200);
    return answer.json.rules;
  };
  const listFaults = async (): Promise<FaultRuleStatus[]> => (await call('GET', '/__sandbox/faults', {})).json.rules;
  const stats = async (): Promise<SandboxStatsSnapshot> => (await call('GET', '/__sandbox/stats', {})).json;
  const whale = (): Position => {
    const p = book.positions.find((x) => x.truth.amount / 10n ** BigInt(x.scale) > 2n ** 53n);
    if (!p) throw new Error('no position above 2^53');
    return p;
  };

  beforeAll(async () => {
    sandbox = await startSandbox({ port: 0, users: 20, seed: 7, now: () => clock });
    book = sandbox.book;
  });
  afterEach(async () => {
    sandbox.server.sandboxFaults.clear();
    await call('POST', '/__sandbox/reset-rate-limits', {});
  });
  afterAll(async () => {
    await sandbox.close();
  });

  describe('each mode', () => {
    it('latency: a client whose timeout is shorter than the delay times out; the answer itself is the normal one', async () => {
      const baseline = await indx();
      expect(baseline.status).toBe(200);
      const before = await stats();
      await setFaults([{ target: 'indx', mode: 'latency', latencyMs: 2000, times: 1 }]);
      await expect(indx(AbortSignal.timeout(100))).rejects.toMatchObject({ name: 'TimeoutError' });
      expect((await indx()).text).toBe(baseline.text);

      await setFaults([{ target: 'indx', mode: 'latency', latencyMs: 30 }]);
      const slow = await indx(AbortSignal.timeout(2500));
      expect(slow.status).toBe(200);
      expect(slow.text).toBe(baseline.text);
      expect((await stats()).faults.byMode.latency - before.faults.byMode.latency).toBe(2);
    });

    it('status: answers 503 by default (or the given status) with a small JSON error body', async () => {
      await setFaults([
        { target: 'backoffice', mode: 'status' },
        { target: 'reporting', mode: 'status', status: 500 },
      ]);
      const down = await balances({ userIds: [book.users[0]?.userId] });
      expect(down.status).toBe(503);
      expect(down.headers.get('content-type')).toMatch(/^application\/json/);
      expect(down.json).toEqual({ error: 'Injected fault: 503 Service Unavailable' });
      const broken = await report('users', {});
      expect(broken.status).toBe(500);
      expect(typeof broken.json.error).toBe('string');
    });

    it('rate-limit: answers 429 with Retry-After and a JSON error outside MultiMarkets (no ban there)', async () => {
      await setFaults([{ target: 'reporting', mode: 'rate-limit', retryAfterSeconds: 7, times: 1 }]);
      const throttled = await report('users', {});
      expect(throttled.status).toBe(429);
      expect(throttled.headers.get('retry-after')).toBe('7');
      expect(typeof throttled.json.error).toBe('string');
      expect((await report('users', {})).status).toBe(200);
    });

    it('hang: accepts the request and never answers, so the client timeout fires; the next request is served', async () => {
      const before = await stats();
      await setFaults([{ target: 'backoffice', endpoint: 'balances', mode: 'hang', times: 1 }]);
      const ids = book.users.slice(0, 2).map((u) => u.userId);
      await expect(balances({ userIds: ids }, AbortSignal.timeout(200))).rejects.toMatchObject({ name: 'TimeoutError' });
      expect((await balances({ userIds: ids })).status).toBe(200);
      expect((await listFaults())[0]).toMatchObject({ mode: 'hang', matched: 2, affected: 1 });
      expect((await stats()).faults.byMode.hang - before.faults.byMode.hang).toBe(1);
    });

    it('hang: close() destroys the held connection at once instead of waiting for it', async () => {
      const own = await startSandbox({ port: 0, book, faults: [{ target: 'indx', mode: 'hang' }] });
      const pending = indx(undefined, own.url).then(
        () => 'answered',
        () => 'connection dropped',
      );
      for (let i = 0; i < 200 && own.server.sandboxFaults.heldRequests() === 0; i++) await new Promise((r) => setTimeout(r, 5));
      expect(own.server.sandboxFaults.heldRequests()).toBe(1);
      const closing = own.close();
      expect(own.server.sandboxFaults.heldRequests()).toBe(0);
      await closing;
      expect(await pending).toBe('connection dropped');
    });

    it('truncate: sends the first half of the real answer with its status and content-type, which no longer parses', async () => {
      const body = { paging: { page: 1, per_page: 5 } };
      const baseline = await report('users/balances', body);
      await setFaults([{ target: 'reporting', mode: 'truncate' }]);
      const cut = await report('users/balances', body);
      expect(cut.status).toBe(200);
      expect(cut.headers.get('content-type')).toMatch(/^application\/json/);
      expect(cut.text).toBe(baseline.text.slice(0, Math.floor(baseline.text.length / 2)));
      expect(() => JSON.parse(cut.text)).toThrow(SyntaxError);
    });

    it('non-json: answers 200 with an HTML page', async () => {
      await setFaults([{ target: 'multimarkets', mode: 'non-json' }]);
      const page = await multimarkets();
      expect(page.status).toBe(200);
      expect(page.headers.get('content-type')).toMatch(/^text\/html/);
      expect(page.text).toBe(NON_JSON_BODY);
      expect(page.text).toBe('<html><body>Bad gateway</body></html>');
    });

    it('rename-field: renames the key everywhere and keeps every number literal digit for digit', async () => {
      const w = whale();
      const exact = await userBalance(w.userId);
      const rows = await report('users/balances', { paging: { page: 1, per_page: 50 } });
      await setFaults([
        { target: 'backoffice', mode: 'rename-field', field: 'balance', renameTo: 'bal' },
        { target: 'reporting', mode: 'rename-field', field: 'assetAmount', renameTo: 'asset_amount' },
      ]);
      const renamed = await userBalance(w.userId);
      // the 18-decimal literal above 2^53 survives: a pass through JS numbers would have changed the text
      expect(renamed.text).toBe(exact.text.replaceAll('"balance":', '"bal":'));
      expect(renamed.text).not.toContain('"balance":');
      const drifted = await report('users/balances', { paging: { page: 1, per_page: 50 } });
      expect(drifted.text).toBe(rows.text.replaceAll('"assetAmount":', '"asset_amount":'));
      for (const row of drifted.json.data) {
        expect(row).not.toHaveProperty('assetAmount');
        expect(row).toHaveProperty('asset_amount');
        expect(row).toHaveProperty('lockedAssetAmount');
      }
    });

    it('extra-field: adds an unknown key to each record of every upstream (data rows, top-level array, INDX value, MultiMarkets data)', async () => {
      await setFaults(
        '{"rules":[{"id":"everywhere","target":"any","mode":"extra-field"},' +
          '{"id":"literal","target":"reporting","mode":"extra-field","field":"z","value":1.10}]}',
      );
      const rows = await report('users', { paging: { page: 1, per_page: 3 } });
      expect(rows.json.data).toHaveLength(3);
      for (const row of rows.json.data) expect(row).toMatchObject({ newField: 'x', z: 1.1 });
      expect(rows.text.match(/,"newField":"x","z":1\.10\}/g)).toHaveLength(3);
      expect(rows.json.paging).not.toHaveProperty('newField');

      const userId = whale().userId;
      const list = await userBalance(userId);
      for (const item of list.json) expect(item.newField).toBe('x');
      const paged = await balances({ userIds: [userId] });
      expect(paged.json.data[0].newField).toBe('x');
      for (const entry of paged.json.data[0].balances) expect(entry).not.toHaveProperty('newField');
      const venue = await indx();
      expect(venue.json).toMatchObject({
        code: 0,
        value: { newField: 'x', wmid: book.indxAccounts[0]?.wmid },
      });
      const mm = await multimarkets();
      expect(mm.json).toMatchObject({ ok: true, data: { newField: 'x' } });
      expect(mm.json).not.toHaveProperty('newField');
    });

    it('repeat-page: page N ≥ 2 carries page N−1 rows under page N paging; page 1 is untouched and not counted', async () => {
      const page = (n: number) => ({ paging: { page: n, per_page: 4 } });
      const [one, two] = [await report('users/balances', page(1)), await report('users/balances', page(2))];
      expect(one.json.data).not.toEqual(two.json.data);
      await setFaults([{ target: 'reporting', endpoint: 'users/balances', mode: 'repeat-page' }]);
      expect((await report('users/balances', page(1))).text).toBe(one.text);
      const repeated = await report('users/balances', page(2));
      expect(repeated.json.data).toEqual(one.json.data);
      expect(repeated.json.paging).toEqual(two.json.paging);
      expect((await listFaults())[0]).toMatchObject({ matched: 1, affected: 1 });

      // the back office's paged POST balances too
      const ids = book.users.slice(0, 3).map((u) => u.userId);
      await setFaults([{ target: 'backoffice', mode: 'repeat-page' }]);
      const second = await balances({ userIds: ids, paging: { page: 2, per_page: 1 } });
      expect(second.json.paging).toEqual({ page: 2, per_page: 1, total: 3 });
      expect(second.json.data.map((r: { userId: string }) => r.userId)).toEqual([ids[0]]);
    });

    it('total-drift: paging.total grows by delta (default 1) from page 2 on', async () => {
      const total = (await report('users', { paging: { page: 1, per_page: 5 } })).json.paging.total;
      expect(total).toBe(20);
      await setFaults([{ target: 'reporting', mode: 'total-drift' }]);
      expect((await report('users', { paging: { page: 1, per_page: 5 } })).json.paging.total).toBe(20);
      const second = await report('users', { paging: { page: 2, per_page: 5 } });
      expect(second.json.paging).toEqual({ page: 2, per_page: 5, total: 21 });
      expect(second.json.data).toHaveLength(5);
      await setFaults([{ target: 'reporting', mode: 'total-drift', delta: -3 }]);
      expect((await report('users', { paging: { page: 3, per_page: 5 } })).json.paging.total).toBe(17);
    });

    it('counts every applied fault per mode in the stats', async () => {
      const before = (await stats()).faults;
      await setFaults([
        { target: 'indx', mode: 'status', times: 2 },
        { target: 'reporting', mode: 'truncate', times: 1 },
      ]);
      for (let i = 0; i < 3; i++) await indx();
      for (let i = 0; i < 2; i++) await report('users', {});
      const after = (await stats()).faults;
      expect(after.byMode.status - before.byMode.status).toBe(2);
      expect(after.byMode.truncate - before.byMode.truncate).toBe(1);
      expect(after.applied - before.applied).toBe(3);
    });
  });

  describe('which requests a rule touches', () => {
    it('after skips the first N matching requests and times caps how many are affected', async () => {
      await setFaults([{ id: 'flaky', target: 'indx', mode: 'status', after: 1, times: 2 }]);
      const statuses: number[] = [];
      for (let i = 0; i < 5; i++) statuses.push((await indx()).status);
      expect(statuses).toEqual([200, 503, 503, 200, 200]);
      expect(await listFaults()).toEqual([
        { id: 'flaky', target: 'indx', mode: 'status', status: 503, after: 1, times: 2, matched: 5, affected: 2 },
      ]);
    });

    it('matches the endpoint as whole trailing path segments within the target', async () => {
      await setFaults([{ target: 'reporting', endpoint: 'users/balances', mode: 'status' }]);
      expect((await report('users/balances', {})).status).toBe(503);
      expect((await report('users', {})).status).toBe(200);
      expect((await report('users/logins', {})).status).toBe(200);

      await setFaults([{ target: 'multimarkets', mode: 'status' }]);
      expect((await multimarkets()).status).toBe(503);
      expect((await indx()).status).toBe(200);
      expect((await report('users', {})).status).toBe(200);

      const userId = book.users[0]?.userId as string;
      await setFaults([{ target: 'any', endpoint: 'balances', mode: 'status' }]);
      expect((await balances({ userIds: [userId] })).status).toBe(503);
      expect((await report('users/balances', {})).status).toBe(503);
      expect((await report('assets-and-balances', {})).status).toBe(200);
      expect((await userBalance(userId)).status).toBe(200);

      await setFaults([{ target: 'backoffice', endpoint: 'user/*/balance', mode: 'status' }]);
      expect((await userBalance(userId)).status).toBe(503);
      expect((await balances({ userIds: [userId] })).status).toBe(200);
    });

    it('leaves the control routes alone even under a target "any" rule', async () => {
      await setFaults([{ target: 'any', mode: 'status' }]);
      expect((await call('GET', '/__sandbox/health', {})).status).toBe(200);
      expect((await report('users', {})).status).toBe(503);
    });
  });

  describe('control routes and programmatic API', () => {
    it('POST replaces the rules, GET lists them with their counters, DELETE clears them', async () => {
      const set = await setFaults([
        { id: 'a', target: 'indx', mode: 'status', status: 502 },
        { id: 'b', target: 'reporting', mode: 'non-json', times: 1 },
      ]);
      expect(set.map((r) => r.id)).toEqual(['a', 'b']);
      expect((await indx()).status).toBe(502);
      expect(await listFaults()).toEqual([
        { id: 'a', target: 'indx', mode: 'status', status: 502, after: 0, matched: 1, affected: 1 },
        { id: 'b', target: 'reporting', mode: 'non-json', after: 0, times: 1, matched: 0, affected: 0 },
      ]);

      await setFaults([{ target: 'multimarkets', mode: 'rate-limit' }]);
      expect(await listFaults()).toEqual([
        { id: 'rule-1', target: 'multimarkets', mode: 'rate-limit', retryAfterSeconds: 1, after: 0, matched: 0, affected: 0 },
      ]);
      expect((await indx()).status).toBe(200);

      const cleared = await call('DELETE', '/__sandbox/faults', {});
      expect(cleared.status).toBe(200);
      expect(cleared.json).toEqual({ rules: [] });
      expect(await listFaults()).toEqual([]);
      expect((await multimarkets()).status).toBe(200);
    });

    it('refuses an unknown mode or target and bad parameters with 400 naming them, keeping the active rules', async () => {
      await setFaults([{ id: 'keep', target: 'indx', mode: 'hang', times: 1 }]);
      const refused = async (rules: unknown): Promise<string> => {
        const answer = await call('POST', '/__sandbox/faults', { 'content-type': 'application/json' }, { rules });
        expect(answer.status).toBe(400);
        return answer.json.error;
      };
      expect(await refused([{ target: 'indx', mode: 'lag' }])).toMatch(/rules\[0\]\.mode.*"lag"/);
      expect(
        await refused([
          { target: 'indx', mode: 'hang' },
          { target: 'crm', mode: 'hang' },
        ]),
      ).toMatch(/rules\[1\]\.target.*"crm"/);
      expect(await refused([{ target: 'indx', mode: 'latency', latencyMs: -1 }])).toMatch(/latencyMs/);
      expect(await refused([{ target: 'indx', mode: 'latency' }])).toMatch(/latencyMs is required/);
      expect(await refused([{ target: 'indx', mode: 'latency', latency: 100 }])).toMatch(/rules\[0\]\.latency: unknown parameter/);
      expect(await refused([{ target: 'indx', mode: 'status', status: 99 }])).toMatch(/status/);
      expect(await refused([{ target: 'indx', mode: 'rate-limit', retryAfterSeconds: 1.5 }])).toMatch(/retryAfterSeconds/);
      expect(await refused([{ target: 'indx', mode: 'rename-field', field: 'code' }])).toMatch(/renameTo/);
      expect(await refused([{ target: 'indx', mode: 'status', times: 0 }])).toMatch(/times/);
      expect(await refused([{ target: 'indx', mode: 'status', after: -2 }])).toMatch(/after/);
      expect(await refused([{ target: 'reporting', mode: 'status', endpoint: 'users/balanse' }])).toMatch(/endpoint.*users\/balanse/);
      expect(await refused([{ target: 'indx', mode: 'status', endpoint: 'users/balances' }])).toMatch(/endpoint/);
      expect(
        await refused([
          { id: 'x', target: 'indx', mode: 'hang' },
          { id: 'x', target: 'indx', mode: 'hang' },
        ]),
      ).toMatch(/duplicate id/);
      expect(await refused('not a list')).toMatch(/rules/);
      const malformed = await call('POST', '/__sandbox/faults', { 'content-type': 'application/json' }, '{"rules": [');
      expect(malformed.status).toBe(400);
      expect((await call('PUT', '/__sandbox/faults', {}, '{}')).status).toBe(405);
      expect((await listFaults()).map((r) => r.id)).toEqual(['keep']);
    });

    it('takes rules from startSandbox({ faults }) and server.sandboxFaults.set / list / clear, validating them the same way', async () => {
      const own = await startSandbox({ port: 0, book, faults: [{ target: 'indx', mode: 'non-json' }] });
      try {
        expect((await indx(undefined, own.url)).text).toBe(NON_JSON_BODY);
        const faults = own.server.sandboxFaults;
        expect(faults.list()).toEqual([{ id: 'rule-1', target: 'indx', mode: 'non-json', after: 0, matched: 1, affected: 1 }]);
        const rules: FaultRule[] = [{ id: 'down', target: 'indx', mode: 'status', status: 504 }];
        faults.set(rules);
        expect((await indx(undefined, own.url)).status).toBe(504);
        expect(() => faults.set([{ target: 'indx', mode: 'latency', latencyMs: 1e9 }])).toThrow(FaultRuleError);
        expect(faults.list().map((r) => r.id)).toEqual(['down']);
        faults.clear();
        expect((await indx(undefined, own.url)).status).toBe(200);
      } finally {
        await own.close();
      }
      await expect(startSandbox({ port: 0, book, faults: [{ target: 'indx', mode: 'nope' } as unknown as FaultRule] })).rejects.toThrow(
        FaultRuleError,
      );
    });
  });

  describe('MultiMarkets 429 burst', () => {
    it('answers an injected 429 with the failure envelope and Retry-After, then 418 to a client that calls again within it', async () => {
      const before = await stats();
      await setFaults([{ target: 'multimarkets', mode: 'rate-limit', retryAfterSeconds: 2, times: 3 }]);
      const throttled = await multimarkets();
      expect(throttled.status).toBe(429);
      expect(throttled.headers.get('retry-after')).toBe('2');
      expect(throttled.json).toMatchObject({ code: '429', bizCode: '429', trace: 'trace-1', ok: false, fail: true, data: null, tm: clock });

      clock += 1000; // only half of Retry-After
      const banned = await multimarkets();
      expect(banned.status).toBe(418);
      expect(banned.headers.get('retry-after')).toBe('300');
      expect(banned.json).toMatchObject({ code: '418', ok: false, data: null });
      // the ban outlasts the penalty, exactly as after a real 429
      clock += 5000;
      expect((await multimarkets()).status).toBe(418);

      const after = await stats();
      expect(after.multimarkets.banned - before.multimarkets.banned).toBe(2);
      expect(after.multimarkets.tooManyRequests).toBe(before.multimarkets.tooManyRequests);
      expect(after.faults.byMode['rate-limit'] - before.faults.byMode['rate-limit']).toBe(1);
      // requests the limiter refuses never reach the rules
      expect((await listFaults())[0]).toMatchObject({ matched: 1, affected: 1 });
    });

    it('lets a client that waits out each Retry-After through the whole burst to a 200, never a 418', async () => {
      const before = await stats();
      await setFaults([{ target: 'multimarkets', mode: 'rate-limit', retryAfterSeconds: 2, times: 3 }]);
      const statuses: number[] = [];
      for (let i = 0; i < 4; i++) {
        const answer = await multimarkets();
        statuses.push(answer.status);
        clock += Number(answer.headers.get('retry-after') ?? 0) * 1000;
      }
      expect(statuses).toEqual([429, 429, 429, 200]);
      const after = await stats();
      expect(after.multimarkets.banned).toBe(before.multimarkets.banned);
      expect(after.faults.byMode['rate-limit'] - before.faults.byMode['rate-limit']).toBe(3);
    });
  });
});
