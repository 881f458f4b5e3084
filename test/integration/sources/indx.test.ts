import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { inspect } from 'node:util';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Amount } from '../../../lib/domain/money';
import { SourceError } from '../../../lib/ports/source-error';
import { Secret } from '../../../lib/secret';
import { JsonClient, type JsonRequest } from '../../../lib/sources/http/json-client';
import { IndxClient, type IndxCulture, indxHttp } from '../../../lib/sources/indx/indx-client';
import { indxSignature } from '../../../lib/sources/indx/signature';
import type { IndxAccount } from '../../../sandbox/book-types';
import { SANDBOX_INDX_LOGIN, SANDBOX_INDX_PASSWORD } from '../../../sandbox/credentials';
import { type RunningSandbox, startSandbox } from '../../../sandbox/server';
import { SimulatedClock } from '../../support/simulated-clock';

const credentials = (login = SANDBOX_INDX_LOGIN, password = SANDBOX_INDX_PASSWORD, culture: IndxCulture = 'en-EN') => ({
  login: new Secret(login),
  password: new Secret(password),
  culture,
});

/** Every way an error could end up in a log or an answer. */
const renderings = (error: unknown) => [
  error instanceof Error ? error.message : '',
  String(error),
  JSON.stringify(error),
  inspect(error, { depth: 5 }),
];

/**
 * A JsonClient that changes the request's `Culture` after the client signed it: the upstream then
 * sees a signature computed for another culture.
 */
class CultureSwappingClient extends JsonClient {
  override request(request: JsonRequest): Promise<unknown> {
    const body = request.body;
    if (typeof body === 'object' && body !== null && 'ApiContext' in body) {
      return super.request({ ...request, body: { ApiContext: { ...Object(body.ApiContext), Culture: 'ru-RU' } } });
    }
    return super.request(request);
  }
}

describe('IndxClient against the sandbox over HTTP', () => {
  let sandbox: RunningSandbox;
  let account: IndxAccount;
  /** A paced client in simulated time: the pacing is tested, but costs no real second per call. */
  const client = (options: { clock?: SimulatedClock } = {}) =>
    new IndxClient(indxHttp({ baseUrl: sandbox.url, timeoutMs: 5_000, retries: 0, clock: options.clock ?? new SimulatedClock() }));
  /** The credentials the sandbox accepts for `trader`: its own, or the shared ones. */
  const credentialsOf = (trader: IndxAccount) =>
    trader.credentials ? credentials(trader.credentials.login, trader.credentials.password, trader.credentials.culture) : credentials();

  beforeAll(async () => {
    sandbox = await startSandbox({ port: 0 });
    const shared = sandbox.book.indxAccounts.find((trader) => trader.credentials === null);
    if (!shared) throw new Error('the book has no INDX trader on the shared credentials');
    account = shared;
  });
  afterAll(async () => sandbox?.close());

  it("reads every trader's wmz and portfolio notes exactly as the book holds them, 18 decimals included", async () => {
    const indx = client();
    const notes = sandbox.book.indxAccounts.flatMap((trader) => trader.portfolio);
    expect(notes.some((instrument) => instrument.scale === 18 && instrument.notes > 2n ** 64n)).toBe(true);
    for (const trader of sandbox.book.indxAccounts) {
      const balance = await indx.balance(trader.wmid, credentialsOf(trader));
      if (!balance.found) throw new Error(`expected ${trader.wmid} to be found`);
      expect(balance.wmid).toBe(trader.wmid);
      expect(balance.nickname).toBe(trader.nickname);
      expect(balance.wmz.toString()).toBe(Amount.of(trader.wmz, 2).toString());
      expect(
        balance.portfolio.map(({ id, name, notes, price, type, kind, by }) => ({
          id,
          name,
          notes: notes.toString(),
          price: price.toString(),
          type,
          kind,
          by,
        })),
      ).toEqual(
        trader.portfolio.map(({ id, name, notes, scale, price, type, kind, by }) => ({
          id,
          name,
          notes: Amount.of(notes, scale).toString(),
          price: Amount.parse(price).toString(),
          type,
          kind,
          by,
        })),
      );
    }
  });

  it('signs in Russian as well as in English', async () => {
    const shared = credentials(SANDBOX_INDX_LOGIN, SANDBOX_INDX_PASSWORD, 'ru-RU');
    expect(await client().balance(account.wmid, shared)).toMatchObject({ found: true, wmid: account.wmid });
  });

  it('returns a typed not-found result for a wrong WMID (code −3)', async () => {
    expect(await client().balance('000000000000', credentials())).toEqual({ found: false, code: -3, message: "wrong Trader's WMID" });
  });

  it('refuses a wrong password with a non-retryable −2 that shows neither login, password nor signature', async () => {
    const password = 'wrong-password-5f1c';
    const error = await client()
      .balance(account.wmid, credentials(SANDBOX_INDX_LOGIN, password))
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(SourceError);
    expect(error).toMatchObject({ source: 'indx', endpoint: 'Balance', failure: 'upstream-error', retryable: false, accountOnly: true });
    expect((error as Error).message).toBe('indx Balance: upstream-error: code -2: access denied');
    const signature = indxSignature(SANDBOX_INDX_LOGIN, password, 'en-EN', account.wmid);
    for (const text of renderings(error)) {
      expect(text).not.toContain(password);
      expect(text).not.toContain(SANDBOX_INDX_LOGIN);
      expect(text).not.toContain(signature);
    }
  });

  it('gets −4 when the signature was computed for another culture than the one sent', async () => {
    const http = new CultureSwappingClient({ source: 'indx', baseUrl: sandbox.url, concurrency: 1, timeoutMs: 5_000, retries: 0 });
    const error = await new IndxClient({ client: http }).balance(account.wmid, credentials()).catch((caught: unknown) => caught);
    expect(error).toMatchObject({
      failure: 'upstream-error',
      retryable: false,
      message: 'indx Balance: upstream-error: code -4: incorrect request signature',
    });
    for (const text of renderings(error)) expect(text).not.toContain(SANDBOX_INDX_PASSWORD);
  });

  it("spaces one WMID's calls 1.1 s apart by default", async () => {
    const clock = new SimulatedClock();
    const indx = client({ clock });
    await Promise.all([0, 1, 2, 3].map(() => indx.balance(account.wmid, credentials())));
    expect(clock.elapsed()).toBe(3 * 1_100);
  });

  it('paces each WMID on its own: one call to each of several traders waits for none', async () => {
    const clock = new SimulatedClock();
    const indx = client({ clock });
    const traders = sandbox.book.indxAccounts;
    expect(traders.length).toBeGreaterThan(2);
    for (const trader of traders) expect(await indx.balance(trader.wmid, credentialsOf(trader))).toMatchObject({ found: true });
    expect(clock.elapsed()).toBe(0);
    await indx.balance(account.wmid, credentials());
    expect(clock.elapsed()).toBe(1_100);
  });
});

describe('IndxClient against a scripted upstream', () => {
  let server: Server | undefined;
  afterEach(async () => {
    const running = server;
    server = undefined;
    if (!running) return;
    running.closeAllConnections();
    await new Promise((resolve) => running.close(resolve));
  });

  /** Serves `body` (raw JSON text) to every call. */
  async function upstream(body: string): Promise<{ balance: (wmid: string) => ReturnType<IndxClient['balance']> }> {
    const running = createServer((_request, response) => response.writeHead(200, { 'content-type': 'application/json' }).end(body));
    server = running;
    await new Promise<void>((resolve) => running.listen(0, '127.0.0.1', resolve));
    const http = new JsonClient({
      source: 'indx',
      baseUrl: `http://127.0.0.1:${(running.address() as AddressInfo).port}`,
      concurrency: 1,
      timeoutMs: 5_000,
      retries: 0,
    });
    const indx = new IndxClient({ client: http });
    return { balance: (wmid) => indx.balance(wmid, credentials('secret-login-7d2', 'secret-password-7d2')) };
  }

  it('marks outages and internal errors retryable, and describes them from the document, not from the answer', async () => {
    const indx = await upstream('{"code":-8,"desc":"internal error for secret-login-7d2 / secret-password-7d2","value":null}');
    const error = await indx.balance('123456789012').catch((caught: unknown) => caught);
    expect(error).toMatchObject({
      failure: 'upstream-error',
      retryable: true,
      message: 'indx Balance: upstream-error: code -8: internal error',
    });
    for (const text of renderings(error)) expect(text).not.toContain('secret-');
  });

  it('names an undocumented code as such, not retryable', async () => {
    const indx = await upstream('{"code":-11,"desc":"?","value":null}');
    await expect(indx.balance('123456789012')).rejects.toMatchObject({
      retryable: false,
      message: expect.stringContaining('code -11: undocumented code'),
    });
  });

  it('keeps every digit of wmz, price and notes sent as JSON numbers', async () => {
    const indx = await upstream(
      '{"code":0,"desc":"Success","value":{"wmid":"123456789012","nickname":"n","balance":{"price":9007199254740993.01,"wmz":12345678901234567.89},' +
        '"portfolio":[{"id":104,"name":"SHIB","notes":9007199254740993.123456789012345678,"price":0.00000871,"type":"crypto","kind":1,"by":0}],"profit":[]}}',
    );
    const balance = await indx.balance('123456789012');
    if (!balance.found) throw new Error('expected the trader to be found');
    expect([balance.wmz.toString(), balance.price.toString(), balance.portfolio[0]?.notes.toString()]).toEqual([
      '12345678901234567.89',
      '9007199254740993.01',
      '9007199254740993.123456789012345678',
    ]);
    expect(balance.portfolio[0]).toMatchObject({ id: 104, kind: 1, by: 0 });
  });

  it('reports a missing wmz as a schema error naming value.balance.wmz', async () => {
    const indx = await upstream(
      '{"code":0,"desc":"Success","value":{"wmid":"123456789012","nickname":"n","balance":{"price":1},"portfolio":[]}}',
    );
    await expect(indx.balance('123456789012')).rejects.toMatchObject({
      failure: 'schema',
      message: expect.stringContaining('value.balance.wmz'),
    });
  });

  it('refuses an answer about another WMID than the one asked for', async () => {
    const indx = await upstream(
      '{"code":0,"desc":"Success","value":{"wmid":"999999999999","nickname":"n","balance":{"price":1,"wmz":2},"portfolio":[]}}',
    );
    await expect(indx.balance('123456789012')).rejects.toMatchObject({ failure: 'upstream-error' });
  });
});
