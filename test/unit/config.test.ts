import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { loadConfig, loadLogLevel, loadRunQueueConfig, loadStoreConfig, RUN_DEFAULTS } from '../../lib/config';
import { ConfigError } from '../../lib/errors';

const minimal = {
  BACKOFFICE_URL: 'http://127.0.0.1:4010',
  BACKOFFICE_TOKEN: 'bo-secret-token',
  REPORTING_TOKEN: 'rep-secret-token',
  DISCREPANCIES_TABLE: 'd',
  RUNS_TABLE: 'r',
  HISTORY_TABLE: 'h',
  TOTALS_TABLE: 't',
  OUTBOX_TABLE: 'o',
  ALERTS_TOPIC_ARN: 'arn:aws:sns:us-east-1:123456789012:alerts',
};

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return [...error.problems];
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('fills defaults and lets Reporting default to the back-office URL', () => {
    const config = loadConfig(minimal);
    expect(config.reporting.url).toBe('http://127.0.0.1:4010');
    expect(config.http).toEqual({ timeoutMs: 10_000, retries: 2, retryBudget: 200, concurrency: 8 });
    expect(config.pageSize).toBe(100);
    expect(config.multiMarkets).toBeUndefined();
    expect(config.alertsTopicFifo).toBe(false);
    expect(config.outboxTable).toBe('o');
  });

  it('gives the run its settings: RUN_DEFAULTS under what the environment sets, an empty variable read as not set', () => {
    expect(loadConfig(minimal).run).toEqual(RUN_DEFAULTS);
    const set = loadConfig({ ...minimal, SHARD_USERS: '500', IN_FLIGHT_GRACE_SECONDS: '60', USER_BATCH_SIZE: '', HTTP_RETRIES: '' });
    expect(set.run).toEqual({ ...RUN_DEFAULTS, shards: { ...RUN_DEFAULTS.shards, usersPerShard: 500 }, graceMs: 60_000 });
    expect(set.http.retries).toBe(2);
    expect(problemsOf({ ...minimal, SHARD_USERS: '0' })).toEqual(['SHARD_USERS must be at least 1']);
  });

  it('reads a FIFO alerts topic and refuses a flag that is not true or false', () => {
    const fifo = loadConfig({ ...minimal, ALERTS_TOPIC_ARN: 'arn:aws:sns:us-east-1:123456789012:alerts.fifo', ALERTS_TOPIC_FIFO: 'true' });
    expect(fifo).toMatchObject({ alertsTopicArn: 'arn:aws:sns:us-east-1:123456789012:alerts.fifo', alertsTopicFifo: true });
    expect(problemsOf({ ...minimal, ALERTS_TOPIC_FIFO: 'yes' })).toEqual(['ALERTS_TOPIC_FIFO must be true or false']);
    const { OUTBOX_TABLE: _o, ...noOutbox } = minimal;
    expect(problemsOf(noOutbox).some((problem) => problem.startsWith('OUTBOX_TABLE'))).toBe(true);
  });

  it('names each missing variable', () => {
    const { BACKOFFICE_TOKEN: _t, ALERTS_TOPIC_ARN: _a, ...rest } = minimal;
    const problems = problemsOf(rest);
    expect(problems.some((p) => p.startsWith('BACKOFFICE_TOKEN'))).toBe(true);
    expect(problems.some((p) => p.startsWith('ALERTS_TOPIC_ARN'))).toBe(true);
  });

  it('names a malformed value without echoing it', () => {
    const problems = problemsOf({ ...minimal, BACKOFFICE_URL: 'ftp://nope-secretish', PAGE_SIZE: 'lots', INDX_LOGIN: 'lots' });
    expect(problems.join('\n')).toMatch(/BACKOFFICE_URL/);
    expect(problems.join('\n')).toMatch(/PAGE_SIZE must be a whole number/);
    expect(problems.join('\n')).toMatch(/INDX_PASSWORD is required when INDX_LOGIN is set/);
    expect(problems.join('\n')).not.toMatch(/nope-secretish|lots/);
  });

  it('reads the scale settings — shards, history overlap, venue coverage — with their defaults, and refuses values out of range', () => {
    expect(loadConfig(minimal)).toMatchObject({
      run: {
        shards: { usersPerShard: 20_000, concurrency: 4 },
        handoverMarginMs: 120_000,
        historyOverlapMs: 3_600_000,
        venueWindowSeconds: 24 * 3600,
        venueRunSeconds: 300,
      },
      shardFunctionName: undefined,
    });
    expect(
      loadConfig({
        ...minimal,
        SHARD_USERS: '5000',
        SHARD_CONCURRENCY: '16',
        HANDOVER_MARGIN_SECONDS: '30',
        HISTORY_OVERLAP_MINUTES: '0',
        VENUE_COVERAGE_HOURS: '6',
        VENUE_RUN_SECONDS: '60',
        SHARD_FUNCTION_NAME: 'balance-recon-dev-runShard',
      }),
    ).toMatchObject({
      run: {
        shards: { usersPerShard: 5000, concurrency: 16 },
        handoverMarginMs: 30_000,
        historyOverlapMs: 0,
        venueWindowSeconds: 6 * 3600,
        venueRunSeconds: 60,
      },
      shardFunctionName: 'balance-recon-dev-runShard',
    });
    const problems = problemsOf({
      ...minimal,
      SHARD_USERS: '0',
      SHARD_CONCURRENCY: '1001',
      HANDOVER_MARGIN_SECONDS: '5',
      HISTORY_OVERLAP_MINUTES: '-5',
      VENUE_COVERAGE_HOURS: '721',
      VENUE_RUN_SECONDS: '901',
      SHARD_FUNCTION_NAME: 'not a function name!',
    }).join('\n');
    for (const name of [
      'SHARD_USERS',
      'SHARD_CONCURRENCY',
      'HANDOVER_MARGIN_SECONDS',
      'HISTORY_OVERLAP_MINUTES',
      'VENUE_COVERAGE_HOURS',
      'VENUE_RUN_SECONDS',
      'SHARD_FUNCTION_NAME',
    ])
      expect(problems).toMatch(new RegExp(`^${name}`, 'm'));
  });

  it('never shows a token when the configuration is logged or serialised', () => {
    const config = loadConfig(minimal);
    const shown = `${JSON.stringify(config)} ${inspect(config, { depth: 10 })} ${String(config.backOffice.token)}`;
    expect(shown).not.toContain('bo-secret-token');
    expect(shown).not.toContain('rep-secret-token');
    expect(config.backOffice.token.reveal()).toBe('bo-secret-token');
  });

  it('reads tolerances per check and asset, and severity thresholds', () => {
    const config = loadConfig({
      ...minimal,
      TOLERANCES: '{"roll-forward": {"*": {"absolute": "0.01"}}, "*": {"btc": {"relative": "0.0001"}}}',
      SEVERITY_THRESHOLDS: 'medium:10,high:1000,critical:100000',
    });
    expect(config.run.tolerances.get('roll-forward|*')?.absolute?.toString()).toBe('0.01');
    expect(config.run.tolerances.get('*|btc')?.relative?.toString()).toBe('0.0001');
    expect(config.run.severity.high.toString()).toBe('1000');
  });

  it('refuses tolerances for an unknown check and thresholds out of order, naming the variable', () => {
    expect(problemsOf({ ...minimal, TOLERANCES: '{"roll-foward": {"*": {"absolute": "1"}}}' }).join()).toMatch(
      /TOLERANCES names an unknown check "roll-foward"/,
    );
    expect(problemsOf({ ...minimal, TOLERANCES: 'not json' }).join()).toMatch(/TOLERANCES must be JSON/);
    expect(problemsOf({ ...minimal, SEVERITY_THRESHOLDS: 'medium:100,high:10,critical:1000' }).join()).toMatch(
      /SEVERITY_THRESHOLDS must be/,
    );
  });
});

describe('loadConfig: INDX credentials', () => {
  it('accepts INDX without shared credentials (every trader may have its own) and reads the stage, default local', () => {
    const config = loadConfig({ ...minimal, INDX_URL: 'http://127.0.0.1:4010' });
    expect(config.indx).toMatchObject({ url: 'http://127.0.0.1:4010', login: undefined, password: undefined });
    expect(config.stage).toBe('local');
    expect(loadConfig({ ...minimal, STAGE: 'prod' }).stage).toBe('prod');
  });

  it('reads a referenced credential from the variables it was given, or from the SSM values keyed by parameter name, as a Secret', () => {
    const config = loadConfig({ ...minimal, INDX_TRADER1_LOGIN: 'own-login', '/balance-recon/local/indx/password': 'own-password' });
    const login = config.credential({ env: 'INDX_TRADER1_LOGIN' });
    expect(login?.reveal()).toBe('own-login');
    expect(String(login)).toBe('[redacted]');
    expect(config.credential({ parameter: '/balance-recon/local/indx/password' })?.reveal()).toBe('own-password');
    expect(config.credential({ env: 'INDX_TRADER2_LOGIN' })).toBeUndefined();
  });
});

describe('loadStoreConfig and loadRunQueueConfig: what the compliance handlers and POST /runs read', () => {
  const tables = { DISCREPANCIES_TABLE: 'd', RUNS_TABLE: 'r', HISTORY_TABLE: 'h', TOTALS_TABLE: 't' };

  it('needs no upstream URL, credential or topic: the tables alone configure the store', () => {
    expect(loadStoreConfig(tables)).toEqual({
      tables: { discrepancies: 'd', runs: 'r', history: 'h', totals: 't' },
      historyRetentionDays: 2557,
      aws: { region: 'us-east-1', dynamoDbEndpoint: undefined },
      logLevel: 'info',
      rootAsset: 'usd',
    });
    expect(loadStoreConfig({ ...tables, ROOT_ASSET: 'usdt' }).rootAsset).toBe('usdt');
    expect(() => loadStoreConfig({ ...tables, ROOT_ASSET: 'US Dollar' })).toThrow(/ROOT_ASSET must be an asset id/);
    expect(loadRunQueueConfig({ ...tables, RUN_FUNCTION_NAME: 'balance-recon-prod-runDirect' })).toMatchObject({
      runFunctionName: 'balance-recon-prod-runDirect',
      aws: { lambdaEndpoint: undefined },
    });
  });

  it('does not look at the run functions’ variables, even malformed ones, and never returns a credential', () => {
    const config = loadRunQueueConfig({ ...tables, BACKOFFICE_URL: 'ftp://x', BACKOFFICE_TOKEN: 'bo-secret', PAGE_SIZE: 'lots' });
    expect(JSON.stringify(config)).not.toMatch(/bo-secret|ftp/);
  });

  it('still names each missing table and a malformed store variable', () => {
    expect(() => loadStoreConfig({ ...tables, RUNS_TABLE: '', DYNAMODB_ENDPOINT: 'nope' })).toThrow(
      /RUNS_TABLE is required[\s\S]*DYNAMODB_ENDPOINT must be an http\(s\) URL/,
    );
  });

  it('reads the log level alone for alertLog, refusing an unknown one', () => {
    expect(loadLogLevel({})).toBe('info');
    expect(loadLogLevel({ LOG_LEVEL: 'debug' })).toBe('debug');
    expect(() => loadLogLevel({ LOG_LEVEL: 'loud' })).toThrow(/LOG_LEVEL must be debug, info, warn or error/);
  });
});
