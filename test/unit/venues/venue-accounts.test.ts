import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../lib/errors';
import { loadVenueAccounts, parseVenueAccounts } from '../../../lib/venues/venue-accounts';
import { generateBook } from '../../../sandbox/book';
import { venueAccountsOfBook } from '../../../scripts/local/venue-accounts-of-book';

const SAMPLE = 'config/venue-accounts.sample.json';
const USER = '63d97c6c-da1b-b333-dd63-eb5a831f4b1b';
const OTHER_USER = '397dea60-ca63-0794-7ce8-490a0787783f';

const mm = (overrides: Record<string, unknown> = {}) => ({
  thirdServerCode: 'BRC0000001',
  userName: '86000001',
  currency: 'USDT',
  userId: USER,
  asset: 'usdt',
  ...overrides,
});
const indx = (overrides: Record<string, unknown> = {}) => ({
  wmid: '936967146346',
  userId: USER,
  wmz: 'usd',
  instruments: [{ id: 104, name: 'SHIB', asset: 'shib' }],
  ...overrides,
});

/** The problems `parseVenueAccounts` lists for `json`, or [] when it accepts it. */
function problemsOf(json: unknown, stage = 'local'): readonly string[] {
  try {
    parseVenueAccounts(json, 'mapping.json', { stage });
    return [];
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return error.problems;
  }
}

describe('parseVenueAccounts', () => {
  it('accepts the sample mapping, which is exactly the mapping of the sandbox default book (60 users, seed 42)', () => {
    const sample = loadVenueAccounts(SAMPLE);
    expect(sample.multimarkets.length).toBeGreaterThan(0);
    expect(sample.indx.length).toBeGreaterThan(0);
    expect(sample).toEqual(venueAccountsOfBook(generateBook({ users: 60, seed: 42 })));
  });

  it('maps each venue account to the user × asset the sandbox book says it mirrors', () => {
    const book = generateBook({ users: 60, seed: 42 });
    const mapping = venueAccountsOfBook(book);
    expect(mapping.multimarkets.map((a) => `${a.userName} ${a.userId} ${a.asset}`)).toEqual(
      book.multiMarketsAccounts.map((a) => `${a.userName} ${a.userId} ${a.asset}`),
    );
    expect(mapping.indx.map((a) => [a.wmid, a.userId, a.wmz, a.instruments.map((i) => `${i.id}:${i.asset}`)])).toEqual(
      book.indxAccounts.map((a) => [a.wmid, a.userId, 'usd', a.portfolio.map((i) => `${i.id}:${i.asset}`)]),
    );
  });

  it('reads a missing venue list as empty', () => {
    expect(parseVenueAccounts({ indx: [indx()] }, 'mapping.json').multimarkets).toEqual([]);
  });

  it('names the file and the path of a WMID that is not 12 digits', () => {
    expect(problemsOf({ indx: [indx(), indx({ wmid: '12345', userId: OTHER_USER })] })).toEqual([
      'mapping.json: indx[1].wmid: expected a WMID of 12 digits',
    ]);
  });

  it('names the path of a currency that is not a currency code', () => {
    expect(problemsOf({ multimarkets: [mm({ currency: 'usdt' })] })).toEqual([
      'mapping.json: multimarkets[0].currency: expected a currency code of 3 to 10 upper-case letters or digits (e.g. "USD", "USDT")',
    ]);
    expect(problemsOf({ multimarkets: [mm({ currency: 'US' })] })).toHaveLength(1);
  });

  it('names the path of a misspelt or missing field', () => {
    const { userId: _dropped, ...withoutUser } = mm();
    const problems = problemsOf({ multimarkets: [{ ...withoutUser, userID: USER }] });
    expect(problems.some((problem) => problem.startsWith('mapping.json: multimarkets[0].userId:'))).toBe(true);
    expect(problems.some((problem) => problem.startsWith('mapping.json: multimarkets[0]:') && problem.includes('userID'))).toBe(true);
  });

  it('refuses a MultiMarkets account listed twice, naming both places', () => {
    expect(problemsOf({ multimarkets: [mm(), mm({ userId: OTHER_USER })] })).toEqual([
      'mapping.json: multimarkets[1]: this MultiMarkets account is already listed at multimarkets[0]',
    ]);
  });

  it('refuses a WMID listed twice', () => {
    expect(problemsOf({ indx: [indx(), indx({ userId: OTHER_USER })] })).toEqual([
      'mapping.json: indx[1] (WMID 936967146346).wmid: this WMID is already listed at indx[0].wmid',
    ]);
  });

  it('refuses a user × asset mirrored twice by one venue', () => {
    expect(problemsOf({ multimarkets: [mm(), mm({ userName: '86000002', thirdServerCode: 'BRC0000002' })] })).toEqual([
      'mapping.json: multimarkets[1].asset: this user × asset is mirrored by MultiMarkets already listed at multimarkets[0].asset',
    ]);
    expect(problemsOf({ indx: [indx({ wmz: 'shib' })] })).toEqual([
      'mapping.json: indx[0] (WMID 936967146346).instruments[0].asset: this user × asset is mirrored by INDX already listed at indx[0].wmz',
    ]);
  });

  it('lets two venues mirror the same user × asset, since each venue is checked on its own', () => {
    expect(problemsOf({ multimarkets: [mm({ currency: 'USD', asset: 'usd' })], indx: [indx()] })).toEqual([]);
  });

  it('refuses an instrument id listed twice in one portfolio', () => {
    const instruments = [
      { id: 104, name: 'SHIB', asset: 'shib' },
      { id: 104, name: 'SHIB2', asset: 'eth' },
    ];
    expect(problemsOf({ indx: [indx({ instruments })] })).toEqual([
      'mapping.json: indx[0] (WMID 936967146346).instruments[1].id: this instrument id is already listed at indx[0].instruments[0].id',
    ]);
  });
});

describe('parseVenueAccounts: INDX credentials per trader', () => {
  const own = {
    login: { parameter: '/balance-recon/prod/indx/936967146346/login' },
    password: { env: 'INDX_TRADER1_PASSWORD' },
    culture: 'ru-RU',
  };

  it("reads a trader's own credentials by reference (an SSM parameter under the stage's path, an environment variable) and its culture", () => {
    const [trader] = parseVenueAccounts({ indx: [indx(own)] }, 'mapping.json', { stage: 'prod' }).indx;
    expect(trader).toMatchObject(own);
  });

  it('keeps the old form: a trader without references uses the shared credentials, signing in en-EN', () => {
    const [trader] = parseVenueAccounts({ indx: [indx()] }, 'mapping.json').indx;
    expect(trader).toEqual({ ...indx(), culture: 'en-EN' });
    expect(trader && ('login' in trader || 'password' in trader)).toBe(false);
  });

  it('refuses a credential written inline, naming the WMID and the field but never the value', () => {
    const problems = problemsOf({ indx: [indx({ login: 'trader-login-8c1', password: { value: 'hunter2-9f3' } })] });
    expect(problems).toEqual([
      'mapping.json: indx[0] (WMID 936967146346).login: a credential is named by reference, {"env": "<VARIABLE>"} or {"parameter": "/balance-recon/local/…"}, never written in the mapping (the value given is not shown)',
      'mapping.json: indx[0] (WMID 936967146346).password: expected exactly one of {"env": "<VARIABLE>"} or {"parameter": "/balance-recon/local/…"} (the value given is not shown)',
    ]);
    let thrown: unknown;
    try {
      parseVenueAccounts({ indx: [indx({ login: 'trader-login-8c1', password: { value: 'hunter2-9f3' } })] }, 'mapping.json');
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ConfigError);
    const everything = `${String(thrown)} ${JSON.stringify(thrown)} ${inspect(thrown, { depth: 10 })}`;
    expect(everything).not.toContain('trader-login-8c1');
    expect(everything).not.toContain('hunter2-9f3');
  });

  it("refuses a parameter outside the stage's path /balance-recon/<stage>/, which the functions may not read", () => {
    const outside = (name: string) => problemsOf({ indx: [indx({ ...own, login: { parameter: name } })] }, 'prod');
    const message =
      'mapping.json: indx[0] (WMID 936967146346).login: expected an SSM parameter under /balance-recon/prod/ (the functions of this stage may read only that path)';
    expect(outside('/balance-recon/dev/indx/login')).toEqual([message]);
    expect(outside('/other-app/prod/indx/login')).toEqual([message]);
    expect(outside('/balance-recon/prod/')).toEqual([message]);
    expect(outside('/balance-recon/prod/indx/login')).toEqual([]);
  });

  it('refuses a malformed variable name, a culture the document does not list, and a login without its password', () => {
    expect(problemsOf({ indx: [indx({ ...own, password: { env: 'not a name' } })] }, 'prod')).toEqual([
      'mapping.json: indx[0] (WMID 936967146346).password: expected an environment variable name (letters, digits and _)',
    ]);
    expect(problemsOf({ indx: [indx({ culture: 'de-DE' })] })).toEqual([
      'mapping.json: indx[0] (WMID 936967146346).culture: expected "ru-RU" or "en-EN" (the cultures the INDX document allows)',
    ]);
    expect(problemsOf({ indx: [indx({ login: { env: 'INDX_TRADER1_LOGIN' } })] })).toEqual([
      'mapping.json: indx[0] (WMID 936967146346).password: expected login and password together (or neither, for INDX_LOGIN/INDX_PASSWORD)',
    ]);
  });

  it('gives the sandbox book two traders with their own credentials by variable, one in ru-RU and one in en-EN, the rest shared', () => {
    const traders = loadVenueAccounts(SAMPLE).indx;
    const owned = traders.filter((trader) => trader.login !== undefined);
    expect(owned.map(({ login, password, culture }) => ({ login, password, culture }))).toEqual([
      { login: { env: 'INDX_TRADER1_LOGIN' }, password: { env: 'INDX_TRADER1_PASSWORD' }, culture: 'ru-RU' },
      { login: { env: 'INDX_TRADER2_LOGIN' }, password: { env: 'INDX_TRADER2_PASSWORD' }, culture: 'en-EN' },
    ]);
    expect(traders.length).toBeGreaterThan(owned.length);
  });
});

describe('loadVenueAccounts', () => {
  const dir = mkdtempSync(join(tmpdir(), 'venue-accounts-'));

  it('names the path of a file that does not exist', () => {
    const path = join(dir, 'missing.json');
    expect(() => loadVenueAccounts(path)).toThrow(`${path}: venue-account mapping file not found`);
  });

  it('names the path of a file that is not JSON', () => {
    const path = join(dir, 'broken.json');
    writeFileSync(path, '{"multimarkets": [');
    expect(() => loadVenueAccounts(path)).toThrow(new RegExp(`${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: not JSON`));
  });

  it('names the path of a directory it cannot read as a file', () => {
    expect(() => loadVenueAccounts(dir)).toThrow(`${dir}: cannot read the venue-account mapping (EISDIR)`);
  });

  it('names the path in each validation problem of the file', () => {
    const path = join(dir, 'bad.json');
    writeFileSync(path, JSON.stringify({ indx: [indx({ wmid: 'abc' })] }));
    expect(() => loadVenueAccounts(path)).toThrow(`${path}: indx[0].wmid: expected a WMID of 12 digits`);
  });

  it('keeps the sample file formatted as the writer script writes it', () => {
    const text = readFileSync(SAMPLE, 'utf8');
    expect(text).toBe(`${JSON.stringify(JSON.parse(text), null, 2)}\n`);
  });
});
