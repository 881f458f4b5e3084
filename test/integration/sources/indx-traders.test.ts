import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../lib/config';
import { Precision } from '../../../lib/domain/precision';
import type { Verdict } from '../../../lib/domain/verdict';
import { checkVenues } from '../../../lib/runs/check-venues';
import { CircuitBreaker } from '../../../lib/runs/circuit-breaker';
import { SourceHealthTracker } from '../../../lib/runs/source-health';
import { Secret } from '../../../lib/secret';
import { JsonClient, type JsonRequest } from '../../../lib/sources/http/json-client';
import { IndxClient } from '../../../lib/sources/indx/indx-client';
import { indxSignature } from '../../../lib/sources/indx/signature';
import { indxVenuePort } from '../../../lib/venues/indx-credentials';
import { loadVenueAccounts } from '../../../lib/venues/venue-accounts';
import { wire } from '../../../lib/wiring';
import type { IndxAccount } from '../../../sandbox/book-types';
import { SANDBOX_INDX_TRADERS, sandboxIndxTraderEnvironment } from '../../../sandbox/credentials';
import { type RunningSandbox, startSandbox } from '../../../sandbox/server';
import { localEnvironment } from '../../support/local-environment';

/** Records the `ApiContext` of every INDX call it sends. */
class RecordingClient extends JsonClient {
  readonly sent: Record<string, unknown>[] = [];
  override request(request: JsonRequest): Promise<unknown> {
    const body = request.body;
    if (typeof body === 'object' && body !== null && 'ApiContext' in body) this.sent.push({ ...Object(body.ApiContext) });
    return super.request(request);
  }
}

const TABLES = {
  endpoint: 'http://127.0.0.1:9',
  tables: { discrepancies: 'd', runs: 'r', history: 'h', totals: 't', outbox: 'o' },
};
const TOPIC = { endpoint: 'http://127.0.0.1:9', topicArn: 'arn:aws:sns:us-east-1:123456789012:alerts' };

describe('INDX traders with their own credentials and cultures, against the sandbox over HTTP', () => {
  let sandbox: RunningSandbox;
  let own: IndxAccount[];

  beforeAll(async () => {
    sandbox = await startSandbox({ port: 0 });
    own = sandbox.book.indxAccounts.filter((trader) => trader.credentials !== null);
  });
  afterAll(async () => sandbox?.close());

  /** The venue phase of a run, wired from `env` as a function would be (config → mapping → port → client). */
  async function readVenues(overrides: Record<string, string | undefined> = {}) {
    const env = { ...localEnvironment(sandbox, TABLES, TOPIC, { venues: true }), ...overrides };
    const { deps } = wire(loadConfig(env));
    if (!deps.ports.venues?.indx) throw new Error('expected INDX to be wired');
    const breaker = new CircuitBreaker(3);
    const health = new SourceHealthTracker();
    const assets = await deps.ports.reporting.assets();
    const precision = new Precision(new Map(assets.map((asset) => [asset.assetId, asset.scale])));
    const { verdicts } = await checkVenues(
      { accounts: deps.ports.venues.accounts, indx: deps.ports.venues.indx },
      (userId) => breaker.call('reporting', () => deps.ports.reporting.userBalances(userId)),
      { budgets: {}, windowSeconds: 86_400, clock: { now: () => new Date() } },
      precision,
      breaker,
      health,
    );
    return { verdicts, health: health.report().indx };
  }

  const ofTrader = (verdicts: Verdict[], trader: IndxAccount) => verdicts.filter((verdict) => verdict.userId === trader.userId);
  const plantedIndx = () =>
    sandbox.book.manifest.planted
      .filter((planted) => planted.check === 'venue-indx')
      .map(({ userId, asset }) => `${userId}|${asset}`)
      .sort();

  it('reads and checks two traders that sign with their own credentials, one in ru-RU and one in en-EN, and finds every planted venue-indx', async () => {
    expect(own.map((trader) => trader.credentials?.culture)).toEqual(['ru-RU', 'en-EN']);
    const { verdicts, health } = await readVenues();
    for (const trader of own) {
      const figures = ofTrader(verdicts, trader);
      expect(figures.length).toBe(1 + trader.portfolio.length);
      expect(figures.every((verdict) => verdict.outcome === 'match' || verdict.outcome === 'mismatch')).toBe(true);
    }
    expect(verdicts.filter((verdict) => verdict.outcome === 'unknown')).toEqual([]);
    const found = verdicts.filter((verdict) => verdict.outcome === 'mismatch').map(({ userId, asset }) => `${userId}|${asset}`);
    expect(found.sort()).toEqual(plantedIndx());
    expect(health).toMatchObject({ status: 'ok', failures: 0 });
  });

  it('makes only the WMID whose password is wrong unknown (−2), naming it; the other trader and the shared ones are still checked', async () => {
    const [first, second] = own as [IndxAccount, IndxAccount];
    const wrong = 'wrong-password-3e8a';
    const { verdicts, health } = await readVenues({ INDX_TRADER1_PASSWORD: wrong });
    const unknown = verdicts.filter((verdict) => verdict.outcome === 'unknown');
    expect(unknown.map((verdict) => verdict.userId)).toEqual(ofTrader(verdicts, first).map(() => first.userId));
    for (const verdict of unknown) {
      expect(verdict).toMatchObject({ reason: `indx refused WMID ${first.wmid}'s credentials: code -2: access denied` });
    }
    expect(ofTrader(verdicts, second).every((verdict) => verdict.outcome !== 'unknown')).toBe(true);
    expect(verdicts.length - unknown.length).toBeGreaterThan(ofTrader(verdicts, second).length);
    expect(health).toMatchObject({ status: 'degraded', failures: 1, firstError: 'indx Balance: upstream-error: code -2: access denied' });
    expect(inspect({ verdicts, health }, { depth: 10 })).not.toContain(wrong);
  });

  it('makes a trader whose credentials cannot be resolved unknown, naming the WMID and the variable but no value, without a crash or a discrepancy', async () => {
    const [, second] = own as [IndxAccount, IndxAccount];
    const { verdicts, health } = await readVenues({ INDX_TRADER2_LOGIN: undefined });
    const reason = `indx credentials unavailable: WMID ${second.wmid}: environment variable INDX_TRADER2_LOGIN is not set`;
    expect(ofTrader(verdicts, second).map((verdict) => verdict.outcome === 'unknown' && verdict.reason)).toEqual(
      ofTrader(verdicts, second).map(() => reason),
    );
    expect(verdicts.filter((verdict) => verdict.outcome === 'unknown')).toHaveLength(ofTrader(verdicts, second).length);
    expect(health?.firstError).toBe(`indx Balance: credentials: WMID ${second.wmid}: environment variable INDX_TRADER2_LOGIN is not set`);
    expect(inspect({ verdicts, health }, { depth: 10 })).not.toContain(SANDBOX_INDX_TRADERS[1]?.password);
  });

  it('reads a trader whose credentials are SSM parameters with the values the handler fetched, keyed by parameter name', async () => {
    const env = localEnvironment(sandbox, TABLES, TOPIC, { venues: true });
    const mapping = JSON.parse(readFileSync(env.VENUE_ACCOUNTS_FILE as string, 'utf8'));
    const [first] = own as [IndxAccount];
    const entry = mapping.indx.find((trader: { wmid: string }) => trader.wmid === first.wmid);
    entry.login = { parameter: '/balance-recon/local/indx/trader1/login' };
    entry.password = { parameter: '/balance-recon/local/indx/trader1/password' };
    const file = join(mkdtempSync(join(tmpdir(), 'venue-accounts-ssm-')), 'venue-accounts.json');
    writeFileSync(file, JSON.stringify(mapping));
    const fetched = {
      '/balance-recon/local/indx/trader1/login': first.credentials?.login,
      '/balance-recon/local/indx/trader1/password': first.credentials?.password,
    };
    const { verdicts } = await readVenues({
      VENUE_ACCOUNTS_FILE: file,
      INDX_TRADER1_LOGIN: undefined,
      INDX_TRADER1_PASSWORD: undefined,
      ...fetched,
    });
    expect(verdicts.filter((verdict) => verdict.outcome === 'unknown')).toEqual([]);
    expect(ofTrader(verdicts, first).length).toBe(1 + first.portfolio.length);
  });

  it("signs each trader's call with its own login, password and culture: Base64(SHA256(Login;Password;Culture;Wmid))", async () => {
    const env = localEnvironment(sandbox, TABLES, TOPIC, { venues: true });
    const accounts = loadVenueAccounts(env.VENUE_ACCOUNTS_FILE as string).indx;
    const http = new RecordingClient({ source: 'indx', baseUrl: sandbox.url, concurrency: 1, timeoutMs: 5_000, retries: 0 });
    const variables = sandboxIndxTraderEnvironment();
    const port = indxVenuePort(new IndxClient({ client: http }), {
      shared: { login: new Secret('sandbox-indx-login'), password: new Secret('sandbox-indx-password') },
      read: (ref) => ('env' in ref && variables[ref.env] ? new Secret(variables[ref.env] as string) : undefined),
      accounts,
    });
    for (const trader of own)
      expect(await port.balance(accounts.find((account) => account.wmid === trader.wmid) as never)).toMatchObject({ found: true });
    expect(http.sent).toEqual(
      own.map((trader) => {
        const { login, password, culture } = trader.credentials as NonNullable<IndxAccount['credentials']>;
        return {
          Login: login,
          Password: password,
          Wmid: trader.wmid,
          Culture: culture,
          Signature: indxSignature(login, password, culture, trader.wmid),
        };
      }),
    );
  });
});
