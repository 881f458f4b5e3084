import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Amount } from '../../../lib/domain/money';
import { SourceError } from '../../../lib/ports/source-error';
import { MultiMarketsClient, multiMarketsHttp } from '../../../lib/sources/multimarkets/multimarkets-client';
import type { MultiMarketsAccount } from '../../../sandbox/book-types';
import { SANDBOX_MULTIMARKETS_COMPANY_ID } from '../../../sandbox/credentials';
import { type RunningSandbox, type StartSandboxOptions, startSandbox } from '../../../sandbox/server';
import { SimulatedClock } from '../../support/simulated-clock';

/** The document's answer example, as a success. */
const DOCUMENT_ANSWER = {
  msg: 'laboris in qui Excepteur',
  code: '74',
  bizCode: '80',
  trace: 'ad occaecat cupidatat in eiusmod',
  msgParams: 'ad consectetur ut dolore',
  tm: 55,
  data: { amount: '42.1098', currency: 'HKD', amount_digits: 4, user_name: '86000001' },
  ok: true,
  fail: false,
};
const DOCUMENT_ACCOUNT = { thirdServerCode: 'text', userName: '86000001', currency: 'HKD' };

/** The amount the sandbox holds for an account, as the exact decimal text. */
const bookAmount = (account: MultiMarketsAccount) => Amount.of(account.amount, account.amountDigits).toString();

/** A client over a fresh paced JsonClient; the simulated clock keeps the pacing from costing real time. */
function clientFor(
  baseUrl: string,
  options: { clock?: SimulatedClock; companyId?: string; ratePerMinute?: number; retries?: number } = {},
) {
  const clock = options.clock ?? new SimulatedClock();
  const http = multiMarketsHttp({
    baseUrl,
    ratePerMinute: options.ratePerMinute ?? 90,
    timeoutMs: 5_000,
    retries: options.retries ?? 0,
    clock,
  });
  return { http, client: new MultiMarketsClient(http, options.companyId ?? SANDBOX_MULTIMARKETS_COMPANY_ID, { clock }) };
}

describe('MultiMarketsClient against a scripted upstream', () => {
  const servers: Server[] = [];
  afterEach(async () => {
    for (const server of servers.splice(0)) {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  /** Serves `answer` to every call and records each request's headers and body. */
  async function upstream(answer: unknown) {
    const seen: { method?: string; url?: string; headers: IncomingHttpHeaders; body: unknown }[] = [];
    const server = createServer((request, response) => {
      let text = '';
      request.on('data', (chunk) => (text += chunk));
      request.on('end', () => {
        seen.push({ method: request.method, url: request.url, headers: request.headers, body: JSON.parse(text) });
        response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(answer));
      });
    });
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
  }

  it("sends the document's request: trace, companyId and a 13-digit timestamp header, and the account as the body", async () => {
    const scripted = await upstream(DOCUMENT_ANSWER);
    const clock = new SimulatedClock(Date.UTC(2025, 4, 6, 7, 8, 9, 123));
    const http = multiMarketsHttp({ baseUrl: scripted.url, ratePerMinute: 90, timeoutMs: 5_000, retries: 0, clock });
    const client = new MultiMarketsClient(http, '1', { clock, newTrace: () => 'trace-1' });
    await client.balance(DOCUMENT_ACCOUNT);
    const [request] = scripted.seen;
    expect(request?.method).toBe('POST');
    expect(request?.url).toBe('/api/cats-gateway/get-user-amount');
    expect(request?.headers).toMatchObject({
      trace: 'trace-1',
      companyid: '1',
      timestamp: '1746515289123',
      'content-type': 'application/json',
    });
    expect(request?.body).toEqual({ thirdServerCode: 'text', userName: '86000001', currency: 'HKD' });
  });

  it("reads the document's envelope into an exact amount at amount_digits", async () => {
    const scripted = await upstream(DOCUMENT_ANSWER);
    const balance = await clientFor(scripted.url).client.balance(DOCUMENT_ACCOUNT);
    if (!balance.found) throw new Error('expected the account to be found');
    expect(balance.amount.toString()).toBe('42.1098');
    expect(balance).toMatchObject({ scale: 4, currency: 'HKD', userName: '86000001' });
  });

  it('sends a fresh UUID trace with each read', async () => {
    const scripted = await upstream(DOCUMENT_ANSWER);
    const { client } = clientFor(scripted.url);
    await client.balance(DOCUMENT_ACCOUNT);
    await client.balance(DOCUMENT_ACCOUNT);
    const traces = scripted.seen.map((request) => request.headers.trace);
    expect(traces[0]).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(traces[1]).not.toBe(traces[0]);
  });

  it('stamps each request with the time it is sent, not the time it was queued behind the gate', async () => {
    const scripted = await upstream(DOCUMENT_ANSWER);
    const clock = new SimulatedClock();
    const { client } = clientFor(scripted.url, { clock, ratePerMinute: 2 });
    await Promise.all([client.balance(DOCUMENT_ACCOUNT), client.balance(DOCUMENT_ACCOUNT)]);
    const stamps = scripted.seen.map((request) => Number(request.headers.timestamp));
    expect(stamps).toEqual([clock.start, clock.start + 30_000]);
  });

  it('refuses an amount with more decimals than amount_digits, naming the field', async () => {
    const scripted = await upstream({ ...DOCUMENT_ANSWER, data: { ...DOCUMENT_ANSWER.data, amount_digits: 2 } });
    const error = await clientFor(scripted.url)
      .client.balance(DOCUMENT_ACCOUNT)
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(SourceError);
    expect(error).toMatchObject({ source: 'multimarkets', endpoint: 'get-user-amount', failure: 'schema', retryable: false });
    expect((error as Error).message).toContain('data.amount: has 4 decimals, more than amount_digits (2)');
  });

  it('refuses a success envelope without data, and one that also says fail: true', async () => {
    for (const answer of [
      { ...DOCUMENT_ANSWER, data: null },
      { ...DOCUMENT_ANSWER, fail: true },
    ]) {
      const scripted = await upstream(answer);
      await expect(clientFor(scripted.url).client.balance(DOCUMENT_ACCOUNT)).rejects.toMatchObject({ failure: 'schema' });
    }
  });

  it('reads a numeric not-found code as not found, and names code and message of any other refusal', async () => {
    const notFound = await upstream({ ...DOCUMENT_ANSWER, code: 20001, data: null, ok: false, fail: true, msg: 'no account' });
    expect(await clientFor(notFound.url).client.balance(DOCUMENT_ACCOUNT)).toEqual({ found: false, code: '20001', message: 'no account' });
  });

  it('refuses an answer about another account than the one asked for', async () => {
    const scripted = await upstream(DOCUMENT_ANSWER);
    await expect(clientFor(scripted.url).client.balance({ ...DOCUMENT_ACCOUNT, userName: '86000002' })).rejects.toMatchObject({
      failure: 'upstream-error',
    });
  });
});

describe('MultiMarketsClient against the sandbox over HTTP', () => {
  let sandbox: RunningSandbox;
  beforeAll(async () => {
    sandbox = await startSandbox({ port: 0 });
  });
  afterAll(async () => sandbox?.close());

  it('reads every account of the default book exactly, at its amount_digits', async () => {
    const { client } = clientFor(sandbox.url);
    const accounts = sandbox.book.multiMarketsAccounts;
    expect(accounts.some((account) => account.amountDigits === 18)).toBe(true);
    for (const account of accounts) {
      const balance = await client.balance(account);
      if (!balance.found) throw new Error(`expected ${account.userName} to be found`);
      expect(balance.amount.toString()).toBe(bookAmount(account));
      expect(balance.scale).toBe(account.amountDigits);
      expect(balance.currency).toBe(account.currency);
    }
  });

  it('returns a typed not-found result for an account the platform does not know', async () => {
    const [account] = sandbox.book.multiMarketsAccounts;
    if (!account) throw new Error('the book has no MultiMarkets account');
    const balance = await clientFor(sandbox.url).client.balance({ ...account, userName: '99999999' });
    expect(balance).toEqual({ found: false, code: '20001', message: `User account not found: 99999999 ${account.currency}` });
  });

  it('fails with a non-retryable upstream-error naming the code when the companyId is wrong', async () => {
    const [account] = sandbox.book.multiMarketsAccounts;
    if (!account) throw new Error('the book has no MultiMarkets account');
    const error = await clientFor(sandbox.url, { companyId: '999' })
      .client.balance(account)
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(SourceError);
    expect(error).toMatchObject({ source: 'multimarkets', failure: 'upstream-error', retryable: false });
    expect((error as Error).message).toBe('multimarkets get-user-amount: upstream-error: code 10003: Invalid companyId: 999');
  });
});

describe('MultiMarkets pacing against the sandbox rate limiter, in simulated time', () => {
  /** A sandbox of `users` users whose rate limiter (and `tm`) runs on `clock`. */
  async function pacedSandbox(clock: SimulatedClock, users: number, options: StartSandboxOptions = {}) {
    return startSandbox({ port: 0, users, seed: 7, now: clock.now, ...options });
  }

  it('reads 300 accounts at close to the allowed rate with no 429 and no 418', async () => {
    const clock = new SimulatedClock();
    const sandbox = await pacedSandbox(clock, 1_300);
    try {
      const accounts = sandbox.book.multiMarketsAccounts.slice(0, 300);
      expect(accounts).toHaveLength(300);
      const { client, http } = clientFor(sandbox.url, { clock, ratePerMinute: 90, retries: 3 });
      const balances = await Promise.all(accounts.map((account) => client.balance(account)));
      expect(balances.map((balance) => (balance.found ? balance.amount.toString() : 'missing'))).toEqual(accounts.map(bookAmount));
      expect(sandbox.server.sandboxStats.snapshot().multimarkets).toEqual({ tooManyRequests: 0, banned: 0 });
      expect(http.stats).toEqual({ requests: 300, retries: 0, failures: 0 });
      const allowedMs = (300 / 90) * 60_000;
      expect(clock.elapsed()).toBeGreaterThan(allowedMs * 0.85);
      expect(clock.elapsed()).toBeLessThan(allowedMs * 1.15);
    } finally {
      await sandbox.close();
    }
  });

  it('waits out a burst of 429s from a much tighter limit without ever calling into the penalty (no 418)', async () => {
    const clock = new SimulatedClock();
    const sandbox = await pacedSandbox(clock, 200, { multimarketsRateLimit: { limit: 10, windowMs: 60_000, banMs: 300_000 } });
    try {
      const accounts = sandbox.book.multiMarketsAccounts.slice(0, 35);
      expect(accounts).toHaveLength(35);
      const { client } = clientFor(sandbox.url, { clock, ratePerMinute: 90, retries: 3 });
      const balances = await Promise.all(accounts.map((account) => client.balance(account)));
      expect(balances.every((balance) => balance.found)).toBe(true);
      const { tooManyRequests, banned } = sandbox.server.sandboxStats.snapshot().multimarkets;
      expect(tooManyRequests).toBeGreaterThan(0);
      expect(banned).toBe(0);
    } finally {
      await sandbox.close();
    }
  });

  it('waits out 429s injected by the sandbox fault rules without calling into their penalty (no 418)', async () => {
    const clock = new SimulatedClock();
    const sandbox = await pacedSandbox(clock, 200, {
      faults: [{ target: 'multimarkets', mode: 'rate-limit', retryAfterSeconds: 20, after: 5, times: 4 }],
    });
    try {
      const accounts = sandbox.book.multiMarketsAccounts.slice(0, 20);
      const { client, http } = clientFor(sandbox.url, { clock, ratePerMinute: 90, retries: 3 });
      const balances = await Promise.all(accounts.map((account) => client.balance(account)));
      expect(balances.map((balance) => (balance.found ? balance.amount.toString() : 'missing'))).toEqual(accounts.map(bookAmount));
      const stats = sandbox.server.sandboxStats.snapshot();
      expect(stats.faults.byMode['rate-limit']).toBe(4);
      expect(stats.multimarkets.banned).toBe(0);
      expect(http.stats.retries).toBe(4);
      // four holds of 20 s each, on top of the pacing of 20 calls
      expect(clock.elapsed()).toBeGreaterThanOrEqual(4 * 20_000);
    } finally {
      await sandbox.close();
    }
  });
});
