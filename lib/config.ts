import { z } from 'zod';
import { CHECK_IDS } from './domain/check-id';
import { Amount } from './domain/money';
import type { ToleranceTable } from './domain/precision';
import { DEFAULT_SEVERITY_THRESHOLDS, type SeverityThresholds } from './domain/severity';
import { ConfigError } from './errors';
import type { LogLevel } from './log';
import type { RunSettings } from './ports/run';
import { Secret } from './secret';
import type { CredentialRef } from './venues/credential-ref';
import { formatPath } from './zod-issues';

/**
 * Every run setting's default: the one place a default lives. The environment overrides some
 * (`loadConfig`, each variable's default read from here); tests and the bench override any with
 * {@link runSettings}.
 */
export const RUN_DEFAULTS: RunSettings = {
  userBatchSize: 50,
  lockTtlMs: 15 * 60_000,
  graceMs: 15 * 60_000,
  historyOverlapMs: 60 * 60_000,
  tolerances: new Map(),
  severity: DEFAULT_SEVERITY_THRESHOLDS,
  rootAsset: 'usd',
  alertAfterRuns: 1,
  stormThreshold: 50,
  breakerThreshold: 3,
  pageConcurrency: 2,
  backOfficeConcurrency: 8,
  checkpointEveryMs: 5_000,
  shards: { usersPerShard: 20_000, concurrency: 4 },
  handoverMarginMs: 120_000,
  venueBudgets: {},
  venueRunSeconds: 300,
  venueWindowSeconds: 24 * 3600,
};

/** The run settings: the defaults, with `overrides` (a test's or the bench's) over them. */
export function runSettings(overrides: Partial<RunSettings> = {}): RunSettings {
  return { ...RUN_DEFAULTS, ...overrides };
}

const url = z.url({
  protocol: /^https?$/,
  error: (issue) => (issue.input === undefined || issue.input === '' ? 'is required' : 'must be an http(s) URL'),
});
const secret = z
  .string({ error: 'is required' })
  .min(1, { error: 'is required' })
  .transform((value) => new Secret(value));
/** A whole number in `[min, max]`; absent or empty (`serverless.yml` passes `''` for a variable not set), `fallback`. */
const integer = (min: number, max: number, fallback: number) =>
  z.preprocess(
    (value) => (value === '' ? undefined : value),
    z.coerce
      .number({ error: 'must be a whole number' })
      .int({ error: 'must be a whole number' })
      .min(min, { error: `must be at least ${min}` })
      .max(max, { error: `must be at most ${max}` })
      .default(fallback),
  );
const optional = <T extends z.ZodType>(schema: T) => z.preprocess((value) => (value === '' ? undefined : value), schema.optional());

const tableName = z.string({ error: 'is required' }).min(1, { error: 'is required' });
const functionName = optional(z.string().regex(/^[\w-]{1,140}$/, { error: 'must be a Lambda function name' }));

/** What every function reads: how much to log. */
const logSchema = z.object({
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error'], { error: 'must be debug, info, warn or error' }).default('info'),
});

/**
 * What the compliance handlers read: the store and nothing upstream, so a read-only function never
 * needs (nor is given) an upstream URL or credential.
 */
const storeSchema = logSchema.extend({
  DISCREPANCIES_TABLE: tableName,
  RUNS_TABLE: tableName,
  HISTORY_TABLE: tableName,
  TOTALS_TABLE: tableName,
  // Seven years (docs/data-model.md): the history is the audit trail of every finding and every person's action.
  HISTORY_RETENTION_DAYS: integer(1, 3650, 2557),
  AWS_REGION: z.string().min(1).default('us-east-1'),
  DYNAMODB_ENDPOINT: optional(url),
  // A label: the asset the upstreams value differences in (`differenceInRoot`), named beside the break totals.
  ROOT_ASSET: optional(z.string().regex(/^[a-z0-9_-]{1,40}$/, { error: 'must be an asset id' })).transform(
    (value) => value ?? RUN_DEFAULTS.rootAsset,
  ),
});

/** What `POST /runs` reads: the store, and the run function it hands a queued run to. */
const runQueueSchema = storeSchema.extend({
  LAMBDA_ENDPOINT: optional(url),
  RUN_FUNCTION_NAME: functionName,
});

/**
 * Every environment variable the run functions read, validated once per container. Each is
 * documented in the README's configuration table; the names are the contract with
 * `serverless.yml` and `scripts/start.ts`.
 */
const environmentSchema = runQueueSchema.extend({
  BACKOFFICE_URL: url,
  BACKOFFICE_TOKEN: secret,
  REPORTING_URL: optional(url),
  REPORTING_TOKEN: secret,
  MULTIMARKETS_URL: optional(url),
  MULTIMARKETS_COMPANY_ID: optional(z.string().regex(/^\d+$/, { error: 'must be a numeric company id' })),
  INDX_URL: optional(url),
  INDX_LOGIN: optional(secret),
  INDX_PASSWORD: optional(secret),
  INDX_WMID: optional(z.string().regex(/^\d{12}$/, { error: 'must be a 12-digit WMID' })),
  STAGE: z
    .string()
    .regex(/^[A-Za-z0-9-]{1,64}$/, { error: 'must be a stage name (letters, digits and -)' })
    .default('local'),
  MULTIMARKETS_RATE_PER_MINUTE: integer(1, 100, 90),
  MULTIMARKETS_NOT_FOUND_CODES: z.string().default('20001'),
  INDX_MIN_INTERVAL_MS: integer(1000, 60_000, 1100),
  VENUE_ACCOUNTS_FILE: optional(z.string().min(1)),
  VENUE_COVERAGE_HOURS: integer(1, 720, RUN_DEFAULTS.venueWindowSeconds / 3600),
  VENUE_RUN_SECONDS: integer(1, 900, RUN_DEFAULTS.venueRunSeconds),
  IN_FLIGHT_GRACE_SECONDS: integer(0, 86_400, RUN_DEFAULTS.graceMs / 1000),
  TOLERANCES: optional(z.string().transform((text, ctx) => parseTolerances(text, ctx))),
  SEVERITY_THRESHOLDS: optional(z.string().transform((text, ctx) => parseSeverity(text, ctx))),
  HISTORY_OVERLAP_MINUTES: integer(0, 10_080, RUN_DEFAULTS.historyOverlapMs / 60_000),
  SHARD_USERS: integer(1, 1_000_000, RUN_DEFAULTS.shards.usersPerShard),
  SHARD_CONCURRENCY: integer(1, 1000, RUN_DEFAULTS.shards.concurrency),
  HANDOVER_MARGIN_SECONDS: integer(10, 600, RUN_DEFAULTS.handoverMarginMs / 1000),
  ALERT_AFTER_RUNS: integer(1, 100, RUN_DEFAULTS.alertAfterRuns),
  ALERT_STORM_THRESHOLD: integer(1, 100_000, RUN_DEFAULTS.stormThreshold),
  ALERTS_TOPIC_ARN: z.string({ error: 'is required' }).regex(/^arn:aws[\w-]*:sns:[\w-]+:\d{12}:[\w-]+(\.fifo)?$/, {
    error: 'must be an SNS topic ARN',
  }),
  // A FIFO topic de-duplicates a re-published alert id for the subscribers (docs/operations.md "Alerts owed").
  ALERTS_TOPIC_FIFO: z
    .enum(['true', 'false'], { error: 'must be true or false' })
    .default('false')
    .transform((value) => value === 'true'),
  // The alerts owed until published: only the run functions read it.
  OUTBOX_TABLE: tableName,
  SNS_ENDPOINT: optional(url),
  SHARD_FUNCTION_NAME: functionName,
  HTTP_TIMEOUT_MS: integer(100, 120_000, 10_000),
  HTTP_RETRIES: integer(0, 10, 2),
  HTTP_RETRY_BUDGET: integer(0, 100_000, 200),
  SOURCE_CONCURRENCY: integer(1, 64, RUN_DEFAULTS.backOfficeConcurrency),
  PAGE_SIZE: integer(1, 1000, 100),
  USER_BATCH_SIZE: integer(1, 1000, RUN_DEFAULTS.userBatchSize),
});

/**
 * Variables that become required once the variable they belong with is set (a venue is optional as
 * a whole). INDX traders may each have their own credentials (the mapping names them), so the
 * shared `INDX_LOGIN`/`INDX_PASSWORD` are needed only together, and only by traders without their own.
 */
const REQUIRED_WITH: Record<string, string[]> = {
  MULTIMARKETS_URL: ['MULTIMARKETS_COMPANY_ID'],
  INDX_LOGIN: ['INDX_PASSWORD'],
  INDX_PASSWORD: ['INDX_LOGIN'],
};

function missingCompanions(env: NodeJS.ProcessEnv): string[] {
  return Object.entries(REQUIRED_WITH).flatMap(([anchor, names]) =>
    env[anchor] ? names.filter((name) => !env[name]).map((name) => `${name} is required when ${anchor} is set`) : [],
  );
}

/** What the compliance handlers are configured with: the tables and how to reach them. */
export type StoreConfig = ReturnType<typeof toStoreConfig>;

function toStoreConfig(env: z.infer<typeof storeSchema>) {
  return {
    tables: { discrepancies: env.DISCREPANCIES_TABLE, runs: env.RUNS_TABLE, history: env.HISTORY_TABLE, totals: env.TOTALS_TABLE },
    historyRetentionDays: env.HISTORY_RETENTION_DAYS,
    aws: { region: env.AWS_REGION, dynamoDbEndpoint: env.DYNAMODB_ENDPOINT },
    logLevel: env.LOG_LEVEL,
    rootAsset: env.ROOT_ASSET,
  };
}

/** What `POST /runs` is configured with: the store and the run function. */
export type RunQueueConfig = ReturnType<typeof toRunQueueConfig>;

function toRunQueueConfig(env: z.infer<typeof runQueueSchema>) {
  const store = toStoreConfig(env);
  return { ...store, aws: { ...store.aws, lambdaEndpoint: env.LAMBDA_ENDPOINT }, runFunctionName: env.RUN_FUNCTION_NAME };
}

/** The validated configuration of the run functions; credentials are {@link Secret}s. */
export type Config = ReturnType<typeof toConfig>;

function toConfig(env: z.infer<typeof environmentSchema>, raw: NodeJS.ProcessEnv) {
  const runQueue = toRunQueueConfig(env);
  return {
    ...runQueue,
    stage: env.STAGE,
    credential: credentialReader(raw),
    backOffice: { url: env.BACKOFFICE_URL, token: env.BACKOFFICE_TOKEN },
    reporting: { url: env.REPORTING_URL ?? env.BACKOFFICE_URL, token: env.REPORTING_TOKEN },
    multiMarkets: env.MULTIMARKETS_URL
      ? {
          url: env.MULTIMARKETS_URL,
          companyId: env.MULTIMARKETS_COMPANY_ID as string,
          ratePerMinute: env.MULTIMARKETS_RATE_PER_MINUTE,
          notFoundCodes: env.MULTIMARKETS_NOT_FOUND_CODES.split(',')
            .map((code) => code.trim())
            .filter(Boolean),
        }
      : undefined,
    indx: env.INDX_URL
      ? {
          url: env.INDX_URL,
          login: env.INDX_LOGIN,
          password: env.INDX_PASSWORD,
          wmid: env.INDX_WMID,
          minIntervalMs: env.INDX_MIN_INTERVAL_MS,
        }
      : undefined,
    venueAccountsFile: env.VENUE_ACCOUNTS_FILE,
    alertsTopicArn: env.ALERTS_TOPIC_ARN,
    alertsTopicFifo: env.ALERTS_TOPIC_FIFO,
    outboxTable: env.OUTBOX_TABLE,
    aws: { ...runQueue.aws, snsEndpoint: env.SNS_ENDPOINT },
    shardFunctionName: env.SHARD_FUNCTION_NAME,
    http: {
      timeoutMs: env.HTTP_TIMEOUT_MS,
      retries: env.HTTP_RETRIES,
      retryBudget: env.HTTP_RETRY_BUDGET,
      concurrency: env.SOURCE_CONCURRENCY,
    },
    pageSize: env.PAGE_SIZE,
    run: runSettingsOf(env),
  };
}

/** The run settings the environment sets (the venues' call budgets are the wiring's: they depend on the venues wired). */
function runSettingsOf(env: z.infer<typeof environmentSchema>): RunSettings {
  return runSettings({
    userBatchSize: env.USER_BATCH_SIZE,
    graceMs: env.IN_FLIGHT_GRACE_SECONDS * 1000,
    historyOverlapMs: env.HISTORY_OVERLAP_MINUTES * 60_000,
    ...(env.TOLERANCES && { tolerances: env.TOLERANCES }),
    ...(env.SEVERITY_THRESHOLDS && { severity: env.SEVERITY_THRESHOLDS }),
    rootAsset: env.ROOT_ASSET,
    alertAfterRuns: env.ALERT_AFTER_RUNS,
    stormThreshold: env.ALERT_STORM_THRESHOLD,
    backOfficeConcurrency: env.SOURCE_CONCURRENCY,
    shards: { usersPerShard: env.SHARD_USERS, concurrency: env.SHARD_CONCURRENCY },
    handoverMarginMs: env.HANDOVER_MARGIN_SECONDS * 1000,
    venueRunSeconds: env.VENUE_RUN_SECONDS,
    venueWindowSeconds: env.VENUE_COVERAGE_HOURS * 3600,
  });
}

/**
 * Parses the environment into a {@link Config}, for the run functions.
 * @throws {ConfigError} naming every missing or malformed variable (never its value).
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  return toConfig(parseEnvironment(environmentSchema, env, missingCompanions(env)), env);
}

/**
 * Parses only what the compliance handlers read into a {@link StoreConfig}: no upstream variable
 * is required, nor looked at.
 * @throws {ConfigError} naming every missing or malformed variable.
 */
export function loadStoreConfig(env: NodeJS.ProcessEnv = process.env): StoreConfig {
  return toStoreConfig(parseEnvironment(storeSchema, env));
}

/**
 * Parses what `POST /runs` reads into a {@link RunQueueConfig}: the store and the run function.
 * @throws {ConfigError} naming every missing or malformed variable.
 */
export function loadRunQueueConfig(env: NodeJS.ProcessEnv = process.env): RunQueueConfig {
  return toRunQueueConfig(parseEnvironment(runQueueSchema, env));
}

/**
 * The log level alone, for a function that only logs (`alertLog`).
 * @throws {ConfigError} when `LOG_LEVEL` is malformed.
 */
export function loadLogLevel(env: NodeJS.ProcessEnv = process.env): LogLevel {
  return parseEnvironment(logSchema, env).LOG_LEVEL;
}

/** One schema's parse, every problem named (and `more` of the caller's), or a {@link ConfigError}. */
function parseEnvironment<T extends z.ZodType>(schema: T, env: NodeJS.ProcessEnv, more: string[] = []): z.infer<T> {
  const result = schema.safeParse(env);
  const problems = [
    ...(result.success ? [] : result.error.issues.map((issue) => `${formatPath(issue.path) || 'environment'} ${issue.message}`)),
    ...more,
  ];
  if (!result.success || problems.length > 0) throw new ConfigError(problems);
  return result.data;
}

/**
 * Reads a credential the venue mapping names by reference, from what `loadConfig` was given: an
 * environment variable by its name, an SSM parameter by its name (the handler put the fetched
 * values there, keyed by name; a parameter name starts with `/`, a variable's never does).
 * Undefined when it is not there (or empty): the caller says which reference failed.
 */
function credentialReader(raw: NodeJS.ProcessEnv): (ref: CredentialRef) => Secret | undefined {
  return (ref) => {
    const value = raw['env' in ref ? ref.env : ref.parameter];
    return value ? new Secret(value) : undefined;
  };
}

const decimalText = z.string().refine(Amount.isDecimal, { error: 'must be a decimal number in a string' }).transform(Amount.parse);
const toleranceSchema = z.strictObject({ absolute: decimalText.optional(), relative: decimalText.optional() });
const tolerancesSchema = z.record(z.string(), z.record(z.string(), toleranceSchema));

/** `TOLERANCES`: `{"<check>|*": {"<asset>|*": {"absolute": "0.01", "relative": "0.0001"}}}` as JSON. */
function parseTolerances(text: string, ctx: z.RefinementCtx): ToleranceTable {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    ctx.addIssue({ code: 'custom', message: 'must be JSON: {"<check>|*": {"<asset>|*": {"absolute": "…", "relative": "…"}}}' });
    return z.NEVER;
  }
  const result = tolerancesSchema.safeParse(json);
  if (!result.success) {
    ctx.addIssue({
      code: 'custom',
      message: `must map checks to assets to {absolute, relative} decimal strings (${formatPath(result.error.issues[0]?.path ?? [])})`,
    });
    return z.NEVER;
  }
  const unknownCheck = Object.keys(result.data).find((check) => check !== '*' && !(CHECK_IDS as readonly string[]).includes(check));
  if (unknownCheck) {
    ctx.addIssue({ code: 'custom', message: `names an unknown check "${unknownCheck}" (checks: ${CHECK_IDS.join(', ')})` });
    return z.NEVER;
  }
  return new Map(
    Object.entries(result.data).flatMap(([check, assets]) =>
      Object.entries(assets).map(([asset, tolerance]) => [`${check}|${asset}`, tolerance]),
    ),
  );
}

/** `SEVERITY_THRESHOLDS`: `medium:100,high:10000,critical:1000000` in root-asset units. */
function parseSeverity(text: string, ctx: z.RefinementCtx): SeverityThresholds {
  const entries = new Map(text.split(',').map((part) => part.split(':').map((piece) => piece.trim()) as [string, string | undefined]));
  const read = (name: 'medium' | 'high' | 'critical') => {
    const value = entries.get(name);
    return value === undefined ? undefined : Amount.tryParse(value);
  };
  const [medium, high, critical] = [read('medium'), read('high'), read('critical')];
  if (!medium || !high || !critical || medium.compare(high) > 0 || high.compare(critical) > 0) {
    ctx.addIssue({ code: 'custom', message: 'must be "medium:<n>,high:<n>,critical:<n>" with medium ≤ high ≤ critical' });
    return z.NEVER;
  }
  return { medium, high, critical };
}
