import { describe, expect, it } from 'vitest';
import { loadConfig, RUN_DEFAULTS } from '../../../../lib/config';
import { ConfigError } from '../../../../lib/errors';
import { selectsUsers } from '../../../../lib/runs/shard/run-shard';
import { MemoryHistory, planOf } from './shard-book';

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

describe('FULL_VERIFY_HOURS', () => {
  it('defaults to 0 (every user verified in full every run), also when serverless.yml passes an empty value', () => {
    expect(RUN_DEFAULTS.fullVerifyHours).toBe(0);
    expect(loadConfig(minimal).run.fullVerifyHours).toBe(0);
    expect(loadConfig({ ...minimal, FULL_VERIFY_HOURS: '' }).run.fullVerifyHours).toBe(0);
    expect(loadConfig({ ...minimal, FULL_VERIFY_HOURS: '24' }).run.fullVerifyHours).toBe(24);
  });

  it('refuses a value outside 0–720 hours', () => {
    expect(() => loadConfig({ ...minimal, FULL_VERIFY_HOURS: '-1' })).toThrow(ConfigError);
    expect(() => loadConfig({ ...minimal, FULL_VERIFY_HOURS: '721' })).toThrow(ConfigError);
  });
});

describe('selectsUsers', () => {
  const history = new MemoryHistory();

  it('selects users only in a whole run with a window set and running totals to keep the records in', () => {
    expect(selectsUsers(planOf(4), 24, history)).toBe(true);
    expect(selectsUsers(planOf(4), 0, history)).toBe(false);
    expect(selectsUsers(planOf(4), 24, undefined)).toBe(false);
  });

  it('verifies everyone in a scoped run, a rebuild (manual or weekly) and a dry run', () => {
    expect(selectsUsers(planOf(4, 2, { scope: { users: ['u1'] } }), 24, history)).toBe(false);
    expect(selectsUsers(planOf(4, 2, { scope: { assets: ['btc'] } }), 24, history)).toBe(false);
    expect(selectsUsers(planOf(4, 2, { rebuild: true }), 24, history)).toBe(false);
    expect(selectsUsers(planOf(4, 2, { dryRun: true }), 24, history)).toBe(false);
  });
});
