import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../../../lib/errors';
import { configurationVariables, loadUpstreams, redactor, type UpstreamsInputs } from '../../../scripts/local/upstreams-file';

const known = configurationVariables(readFileSync('serverless.yml', 'utf8'));
const dotenvLocal = readDotenvLocal();
const MINIMAL = ['BACKOFFICE_URL=https://bo.staging.example', 'BACKOFFICE_TOKEN=bo-s3cr3t', 'REPORTING_TOKEN=rep-s3cr3t'];
const MAPPING = {
  multimarkets: [{ thirdServerCode: 'BRC1', userName: '86000001', currency: 'USDT', userId: 'u-1', asset: 'usdt' }],
  indx: [{ wmid: '936967146346', userId: 'u-2', wmz: 'usd' }],
};

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'upstreams-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function write(lines: string[], name = 'staging.env'): string {
  const path = join(dir, name);
  writeFileSync(path, `${lines.join('\n')}\n`);
  return path;
}

function load(path: string, exported: UpstreamsInputs['exported'] = {}) {
  return loadUpstreams({ path, exported, dotenvLocal, known });
}

function problemsOf(path: string, exported: UpstreamsInputs['exported'] = {}): string[] {
  try {
    load(path, exported);
  } catch (error) {
    if (error instanceof ConfigError) return [...error.problems];
    throw error;
  }
  throw new Error('expected a ConfigError');
}

function readDotenvLocal(): Record<string, string> {
  const entries = readFileSync('.env.local', 'utf8')
    .split('\n')
    .filter((line) => /^[A-Z_]+=/.test(line))
    .map((line) => line.split('=', 2) as [string, string]);
  return Object.fromEntries(entries);
}

describe('configurationVariables', () => {
  it('knows what serverless.yml passes to the functions, not what the local stack sets or SSM names', () => {
    for (const name of [
      'BACKOFFICE_URL',
      'REPORTING_TOKEN',
      'INDX_WMID',
      'VENUE_ACCOUNTS_FILE',
      'PAGE_SIZE',
      'TOLERANCES',
      'RUN_SCHEDULE',
    ]) {
      expect(known, name).toContain(name);
    }
    for (const name of ['DYNAMODB_ENDPOINT', 'AUTH_DEV_KEY', 'RUN_SCHEDULE_ENABLED', 'BACKOFFICE_TOKEN_PARAMETER']) {
      expect(known, name).not.toContain(name);
    }
  });
});

describe('loadUpstreams', () => {
  it('passes the file to sls offline and blanks the sandbox settings of .env.local it does not replace', () => {
    const upstreams = load(write([...MINIMAL, 'PAGE_SIZE=15']));
    expect(upstreams.env).toMatchObject({
      BACKOFFICE_URL: 'https://bo.staging.example',
      BACKOFFICE_TOKEN: 'bo-s3cr3t',
      REPORTING_TOKEN: 'rep-s3cr3t',
      PAGE_SIZE: '15',
      MULTIMARKETS_URL: '',
      INDX_URL: '',
      INDX_LOGIN: '',
      VENUE_ACCOUNTS_FILE: '',
    });
    expect(upstreams.env).not.toHaveProperty('AUTH_DEV_KEY');
    expect(upstreams.fromFile).toEqual(['BACKOFFICE_URL', 'BACKOFFICE_TOKEN', 'REPORTING_TOKEN', 'PAGE_SIZE']);
    expect(upstreams.origins).toEqual({ BACKOFFICE_URL: 'https://bo.staging.example' });
  });

  it('lets a non-empty exported variable win over the file, and the file win over .env.local', () => {
    const path = write([...MINIMAL, 'MULTIMARKETS_URL=https://mm.staging.example', 'MULTIMARKETS_COMPANY_ID=7']);
    const upstreams = load(path, { BACKOFFICE_TOKEN: 'exported-token', MULTIMARKETS_COMPANY_ID: '', PATH: '/usr/bin' });
    expect(upstreams.overridden).toEqual(['BACKOFFICE_TOKEN']);
    // The exported token stays in the environment sls offline inherits; the file's does not replace it.
    expect(upstreams.env).not.toHaveProperty('BACKOFFICE_TOKEN');
    expect(upstreams.env).toMatchObject({ MULTIMARKETS_URL: 'https://mm.staging.example', MULTIMARKETS_COMPANY_ID: '7' });
    expect(upstreams.secrets).toContain('exported-token');
    expect(upstreams.secrets).not.toContain('bo-s3cr3t');
  });

  it('lets an exported variable supply what the file leaves out', () => {
    const upstreams = load(write(MINIMAL.slice(0, 2)), { REPORTING_TOKEN: 'exported-rep' });
    expect(upstreams.env).not.toHaveProperty('REPORTING_TOKEN');
    expect(upstreams.secrets).toEqual(expect.arrayContaining(['bo-s3cr3t', 'exported-rep']));
  });

  it('reads a relative venue mapping from the file’s folder, an exported one from the working directory', () => {
    mkdirSync(join(dir, 'config'));
    writeFileSync(join(dir, 'config', 'venues.json'), JSON.stringify(MAPPING));
    const upstreams = load(write([...MINIMAL, 'VENUE_ACCOUNTS_FILE=config/venues.json']));
    expect(upstreams.env.VENUE_ACCOUNTS_FILE).toBe(join(dir, 'config', 'venues.json'));

    const exported = load(write([...MINIMAL, 'VENUE_ACCOUNTS_FILE=config/venues.json'], 'b.env'), {
      VENUE_ACCOUNTS_FILE: 'config/venue-accounts.sample.json',
    });
    expect(exported.env).not.toHaveProperty('VENUE_ACCOUNTS_FILE');
    expect(exported.overridden).toEqual(['VENUE_ACCOUNTS_FILE']);
    expect(problemsOf(write([...MINIMAL], 'c.env'), { VENUE_ACCOUNTS_FILE: 'config/nowhere.json' })).toEqual([
      `${join(dir, 'c.env')}: VENUE_ACCOUNTS_FILE: ${resolve('config/nowhere.json')}: venue-account mapping file not found`,
    ]);
  });

  it('accepts, passes on and masks a variable the venue mapping names', () => {
    // Any string of the mapping may name a variable: a per-trader credential is referenced by its variable's name.
    const mapping = { ...MAPPING, multimarkets: [{ ...MAPPING.multimarkets[0], thirdServerCode: 'TRADER_TWO_SIGN_IN' }] };
    writeFileSync(join(dir, 'venues.json'), JSON.stringify(mapping));
    const upstreams = load(write([...MINIMAL, 'VENUE_ACCOUNTS_FILE=venues.json', 'TRADER_TWO_SIGN_IN=trader-two-login']));
    expect(upstreams.env.TRADER_TWO_SIGN_IN).toBe('trader-two-login');
    expect(upstreams.secrets).toContain('trader-two-login');
  });

  it('says when the file is missing or unreadable', () => {
    expect(problemsOf(join(dir, 'absent.env'))).toEqual([`${join(dir, 'absent.env')}: upstreams file not found`]);
    expect(problemsOf(dir)).toEqual([`${dir}: cannot read the upstreams file (EISDIR)`]);
  });

  it('names a malformed line without printing it', () => {
    const path = write([...MINIMAL, 'INDX_PASSWORD hunter2-secret']);
    expect(problemsOf(path)).toEqual([`${path}: line 4: expected NAME=value (a comment starts with #)`]);
  });

  it('refuses a name the product does not know, suggesting the one meant', () => {
    const path = write([...MINIMAL, 'REPORTNG_URL=https://rep.staging.example', 'FOO=1']);
    expect(problemsOf(path)).toEqual([
      `${path}: line 4: REPORTNG_URL is not a configuration variable of balance-recon nor named by the venue mapping (did you mean REPORTING_URL?)`,
      `${path}: line 5: FOO is not a configuration variable of balance-recon nor named by the venue mapping`,
    ]);
  });

  it('refuses what the local stack sets itself and SSM parameter names', () => {
    const path = write([
      ...MINIMAL,
      'DYNAMODB_ENDPOINT=http://127.0.0.1:9000',
      'RUN_SCHEDULE_ENABLED=true',
      'BACKOFFICE_TOKEN_PARAMETER=/bo',
    ]);
    expect(problemsOf(path)).toEqual([
      `${path}: line 4: DYNAMODB_ENDPOINT is set by the local stack (npm start runs DynamoDB Local)`,
      `${path}: line 5: RUN_SCHEDULE_ENABLED is set by the local stack (use --schedule)`,
      `${path}: line 6: BACKOFFICE_TOKEN_PARAMETER: the local stack reads no SSM parameter; set the secret itself`,
    ]);
  });

  it('names each required variable that is missing, never a value', () => {
    const path = write(['INDX_URL=https://indx.staging.example', 'INDX_LOGIN=indx-l0gin', 'REPORTING_TOKEN=']);
    expect(problemsOf(path)).toEqual([
      `${path}: BACKOFFICE_URL is required`,
      `${path}: BACKOFFICE_TOKEN is required`,
      `${path}: REPORTING_TOKEN is required`,
      `${path}: INDX_PASSWORD is required when INDX_LOGIN is set`,
    ]);
  });

  it('refuses a URL that is not http(s), without printing it', () => {
    const path = write([
      ...MINIMAL.slice(1),
      'BACKOFFICE_URL=ftp://user:pw-s3cr3t@bo.example',
      'MULTIMARKETS_URL=mm.example',
      'MULTIMARKETS_COMPANY_ID=7',
    ]);
    const problems = problemsOf(path);
    expect(problems).toEqual([`${path}: BACKOFFICE_URL must be an http(s) URL`, `${path}: MULTIMARKETS_URL must be an http(s) URL`]);
    expect(problems.join()).not.toContain('s3cr3t');
  });

  it('reports every problem of the file at once, in the file’s order', () => {
    const path = write(['BACKOFFICE_URL=https://bo.example', 'oops', 'BACKOFICE_TOKEN=x']);
    expect(problemsOf(path)).toEqual([
      `${path}: line 2: expected NAME=value (a comment starts with #)`,
      `${path}: line 3: BACKOFICE_TOKEN is not a configuration variable of balance-recon nor named by the venue mapping (did you mean BACKOFFICE_TOKEN?)`,
      `${path}: BACKOFFICE_TOKEN is required`,
      `${path}: REPORTING_TOKEN is required`,
    ]);
  });
});

describe('redactor', () => {
  it('masks every occurrence of each secret, the longest first', () => {
    const redact = redactor(['abc-token', 'abc-token-long', 'pw']);
    expect(redact('auth abc-token-long then abc-token and pw')).toBe('auth [redacted] then [redacted] and [redacted]');
    expect(redactor([])('nothing to hide')).toBe('nothing to hide');
  });
});
