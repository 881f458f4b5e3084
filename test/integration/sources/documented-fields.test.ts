import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Amount } from '../../../lib/domain/money';
import type { SourceName } from '../../../lib/ports/upstream';
import { Secret } from '../../../lib/secret';
import { BackOfficeClient } from '../../../lib/sources/backoffice/backoffice-client';
import { DriftLog } from '../../../lib/sources/drift';
import { JsonClient } from '../../../lib/sources/http/json-client';
import { IndxClient } from '../../../lib/sources/indx/indx-client';
import { MultiMarketsClient } from '../../../lib/sources/multimarkets/multimarkets-client';
import { ReportingClient } from '../../../lib/sources/reporting/reporting-client';
import { REPORTS, type ReportEndpoint } from '../../../lib/sources/reporting/schemas';

/**
 * The four documents' own answer examples (test/fixtures/documents, see its README), served over
 * HTTP to the real clients: every field a document names, in every spelling, is known (no drift),
 * and a field no document names is still noticed at every level the product inspects.
 */
const FIXTURES = new URL('../../fixtures/documents/', import.meta.url);
const fixture = (path: string): string => readFileSync(new URL(path, FIXTURES), 'utf8');
type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json => value !== null && typeof value === 'object' && !Array.isArray(value);
const objectAt = (value: unknown): Json => {
  if (!isObject(value)) throw new Error('the fixture has no object here');
  return value;
};
const rowsOf = (body: Json): Json[] => (Array.isArray(body.data) ? body.data.map(objectAt) : []);

const ENDPOINTS = Object.keys(REPORTS) as ReportEndpoint[];
const reportFile = (endpoint: ReportEndpoint) => `reporting/${endpoint.replace('/', '-')}.json`;
const reportFixture = (endpoint: ReportEndpoint) => fixture(reportFile(endpoint));
const DESCRIBED_ONLY = objectAt(objectAt(JSON.parse(fixture('described-only.json'))).reporting);

/** The units and scale a decimal text is written with: an oracle that does not go through `Amount`. */
function written(text: string): { units: bigint; scale: number } {
  const point = text.indexOf('.');
  return { units: BigInt(text.replace('.', '')), scale: point < 0 ? 0 : text.length - point - 1 };
}

/** Every `Amount` the client parsed holds exactly the digits the document wrote; answers how many there were. */
function expectExactAmounts(raw: Json, parsed: Json): number {
  let amounts = 0;
  for (const [field, value] of Object.entries(parsed)) {
    if (!(value instanceof Amount)) continue;
    expect({ field, units: value.units, scale: value.scale }).toEqual({ field, ...written(String(raw[field])) });
    amounts++;
  }
  return amounts;
}

/** A tiny upstream: answers each path with the body last set for it. */
class FixtureServer {
  readonly bodies = new Map<string, string>();
  private server: Server | undefined;
  url = '';

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        const body = this.bodies.get(req.url ?? '');
        res.writeHead(body === undefined ? 404 : 200, { 'content-type': 'application/json' });
        res.end(body ?? '{}');
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    const address: AddressInfo | string | null | undefined = this.server?.address();
    if (!address || typeof address === 'string') throw new Error('the fixture server has no port');
    this.url = `http://127.0.0.1:${address.port}`;
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server?.close(() => resolve()));
  }
}

const USER = 'd3e84bed-94bb-59c1-bbf1-fcfea251e84b';
const REPORT_PATH = (endpoint: ReportEndpoint) => `/back-api/reporting/reports/data/${endpoint}`;
const BALANCES_PATH = '/back-api/backoffice/balances';
const AVAILABLE_PATH = `/back-api/backoffice/user/${USER}/balance/`;
const MULTIMARKETS_PATH = '/api/cats-gateway/get-user-amount';
const INDX_PATH = '/api/v2/trade/Balance';
const ACCOUNT = { thirdServerCode: 'text', userName: '86000001', currency: 'HKD' };
const WMID = '123456789012';

describe('the fields the four documents name, served to the real clients over HTTP', () => {
  const upstream = new FixtureServer();
  let drift: DriftLog;
  const TRADER = { login: new Secret('1234567890'), password: new Secret('AaBb'), culture: 'en-EN' as const };
  const http = (source: SourceName) => new JsonClient({ source, baseUrl: upstream.url, concurrency: 1, timeoutMs: 5_000, retries: 0 });
  const clients = () => ({
    reporting: new ReportingClient(http('reporting'), new Secret('token'), 15, drift),
    backOffice: new BackOfficeClient(http('backoffice'), new Secret('token'), 3, drift),
    multiMarkets: new MultiMarketsClient(http('multimarkets'), '1', { drift }),
    indx: new IndxClient({ client: http('indx') }, drift),
  });
  /** The first page of a report, as the client parses it (the walk stops there: the examples' totals run on). */
  const firstPage = async <E extends ReportEndpoint>(endpoint: E) => {
    for await (const rows of clients().reporting.stream(endpoint)) return rows;
    throw new Error(`${endpoint} answered no rows`);
  };
  const serve = (path: string, body: unknown) => upstream.bodies.set(path, typeof body === 'string' ? body : JSON.stringify(body));

  beforeAll(() => upstream.start());
  afterAll(() => upstream.close());

  describe('none of them raises drift, and each answer parses with its amounts exact', () => {
    beforeEach(() => {
      drift = new DriftLog();
    });

    it.each(ENDPOINTS)('reporting %s: the document example', async (endpoint) => {
      serve(REPORT_PATH(endpoint), reportFixture(endpoint));
      const raw = rowsOf(JSON.parse(reportFixture(endpoint)));
      const rows = await firstPage(endpoint);
      expect(rows).toHaveLength(raw.length);
      const amounts = rows.reduce((count, row, index) => count + expectExactAmounts(objectAt(raw[index]), row), 0);
      expect(amounts).toBeGreaterThan(endpoint === 'users/logins' ? -1 : 0);
      expect(drift.drain()).toEqual([]);
    });

    it.each(ENDPOINTS.filter((endpoint) => endpoint in DESCRIBED_ONLY))(
      'reporting %s: a row carrying the fields only its descriptions name',
      async (endpoint) => {
        const example = JSON.parse(reportFixture(endpoint));
        const described = { ...rowsOf(example)[0], ...objectAt(DESCRIBED_ONLY[endpoint]) };
        serve(REPORT_PATH(endpoint), { ...example, data: [described] });
        const [row] = await firstPage(endpoint);
        expect(drift.drain()).toEqual([]);
        // As JSON, amounts are their exact decimal strings: the described fields come back as written.
        expect(JSON.parse(JSON.stringify(row))).toMatchObject(objectAt(DESCRIBED_ONLY[endpoint]));
        expectExactAmounts(described, objectAt(row));
      },
    );

    it('back office POST /balances: the user, its balances, its root-asset figures and the not-found entry', async () => {
      serve(BALANCES_PATH, fixture('backoffice/balances.json'));
      const [user, missing, ...rest] = await clients().backOffice.balances([USER, '5122444f-2658-fb8f-8863-16fdf0a2028b'], []);
      expect(rest).toEqual([]);
      if (!user?.found) throw new Error('the example user was not read');
      expect(user.user).toMatchObject({
        userId: USER,
        userName: USER,
        userEmail: 'volgen@mailinator.com',
        userRoles: ['Bot'],
        rootAsset: 'usd',
      });
      expect(
        user.user.balances.map(({ asset, amount, locked, fundsInRootAsset }) => [asset, `${amount}`, `${locked}`, `${fundsInRootAsset}`]),
      ).toEqual([
        ['btc', '100000', '0', '200000'],
        ['xmr', '10000000', '0', 'undefined'],
      ]);
      expect(`${user.user.totalFundsInRootAsset}`).toBe('80020');
      expect(missing).toEqual({
        userId: '5122444f-2658-fb8f-8863-16fdf0a2028b',
        found: false,
        message: 'User with id:5122444f-2658-fb8f-8863-16fdf0a2028b not found.',
      });
      expect(drift.drain()).toEqual([]);
    });

    it('back office GET …/balance/: the available amount per asset, JSON numbers read exactly', async () => {
      serve(AVAILABLE_PATH, fixture('backoffice/user-balance.json'));
      const available = await clients().backOffice.available(USER);
      expect([...available].map(([asset, amount]) => [asset, amount.toString()])).toEqual([
        ['btc', '10'],
        ['eth', '300'],
      ]);
      expect(drift.drain()).toEqual([]);
    });

    it("MultiMarkets: the document's envelope (ok: false) is a refusal naming its code; the same with ok: true reads 42.1098 at 4 digits", async () => {
      serve(MULTIMARKETS_PATH, fixture('multimarkets/get-user-amount.json'));
      await expect(clients().multiMarkets.balance(ACCOUNT)).rejects.toMatchObject({
        failure: 'upstream-error',
        message: expect.stringContaining('code 74'),
      });
      serve(MULTIMARKETS_PATH, fixture('multimarkets/get-user-amount.ok.json'));
      const balance = await clients().multiMarkets.balance(ACCOUNT);
      if (!balance.found) throw new Error('the account was not read');
      expect({ units: balance.amount.units, scale: balance.amount.scale, digits: balance.scale, currency: balance.currency }).toEqual({
        units: 421098n,
        scale: 4,
        digits: 4,
        currency: 'HKD',
      });
      expect(drift.drain()).toEqual([]);
    });

    it("INDX: the document's answer format raises no drift; filled in, wmz, price and notes are read exactly", async () => {
      serve(INDX_PATH, fixture('indx/balance.json'));
      // The format's wmid is empty, so it is no answer for any trader: refused by the schema, after the fields were inspected.
      await expect(clients().indx.balance(WMID, TRADER)).rejects.toMatchObject({ failure: 'schema' });
      serve(INDX_PATH, fixture('indx/balance.filled.json'));
      const trader = await clients().indx.balance(WMID, TRADER);
      if (!trader.found) throw new Error('the trader was not read');
      expect([trader.wmz.toString(), trader.price.toString()]).toEqual(['9007199254740993.123456789', '1815.5']);
      expect(trader.portfolio.map((row) => [row.id, row.notes.toString(), row.price.toString()])).toEqual([
        [17, '12', '151.291666666666666667'],
      ]);
      expect(drift.drain()).toEqual([]);
    });
  });

  describe('a field no document names raises drift at every level the product inspects', () => {
    const FIELD = 'undocumentedField';
    /** The answer with {@link FIELD} added to the first object at `path` (`data[].balances[]`; '' is the top level). */
    function withExtraField(body: unknown, path: string): unknown {
      const copy: unknown = JSON.parse(JSON.stringify(body));
      let level: unknown = copy;
      for (const step of path.split('.').filter(Boolean)) {
        const name = step.replace('[]', '');
        if (name !== '') level = objectAt(level)[name];
        if (step.endsWith('[]')) level = Array.isArray(level) ? level[0] : undefined;
      }
      objectAt(level)[FIELD] = 1;
      return copy;
    }
    interface LevelCase {
      source: SourceName;
      endpoint: string;
      path: string;
      read: () => Promise<unknown>;
    }
    /** One case per level: `file`'s answer with the field added at that level, served at `at`, read by `read`. */
    const levels = (where: Omit<LevelCase, 'path' | 'read'>, paths: string[], at: string, file: string, read: () => Promise<unknown>) =>
      paths.map(
        (path): LevelCase => ({
          ...where,
          path,
          read: () => {
            serve(at, withExtraField(JSON.parse(fixture(file)), path));
            return read();
          },
        }),
      );
    const cases: LevelCase[] = [
      ...ENDPOINTS.flatMap((endpoint) =>
        levels({ source: 'reporting', endpoint }, ['', 'paging', 'data[]'], REPORT_PATH(endpoint), reportFile(endpoint), () =>
          firstPage(endpoint),
        ),
      ),
      ...levels(
        { source: 'backoffice', endpoint: 'balances' },
        ['', 'paging', 'data[]', 'data[].balances[]'],
        BALANCES_PATH,
        'backoffice/balances.json',
        () => clients().backOffice.balances([USER], []),
      ),
      ...levels({ source: 'backoffice', endpoint: 'user/balance' }, ['[]'], AVAILABLE_PATH, 'backoffice/user-balance.json', () =>
        clients().backOffice.available(USER),
      ),
      ...levels(
        { source: 'multimarkets', endpoint: 'get-user-amount' },
        ['', 'data'],
        MULTIMARKETS_PATH,
        'multimarkets/get-user-amount.ok.json',
        () => clients().multiMarkets.balance(ACCOUNT),
      ),
      ...levels(
        { source: 'indx', endpoint: 'Balance' },
        ['', 'value', 'value.balance', 'value.portfolio[]', 'value.profit[]'],
        INDX_PATH,
        'indx/balance.filled.json',
        () => clients().indx.balance(WMID, TRADER),
      ),
    ];

    it.each(cases.map((entry) => ({ ...entry, name: `${entry.source} ${entry.endpoint} ${entry.path || '(top level)'}` })))(
      '$name',
      async ({ source, endpoint, path, read }) => {
        drift = new DriftLog();
        await read();
        expect(drift.drain()).toEqual([{ source, endpoint: path === '' ? endpoint : `${endpoint} ${path}`, fields: [FIELD], rows: 1 }]);
      },
    );
  });
});
