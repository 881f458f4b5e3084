import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { loadConfig } from '../../lib/config';
import { ConfigError } from '../../lib/errors';
import { loadVenueAccounts } from '../../lib/venues/venue-accounts';
import { type EnvAssignment, parseEnvFile } from './env-file';

/**
 * Variables the local stack sets itself (`serverless.yml`'s local parameters, `npm start`'s
 * flags): an upstreams file that set them would be ignored or would break the stack. Each maps to
 * what the person should do instead.
 */
const SET_BY_THE_LOCAL_STACK: Record<string, string> = {
  DYNAMODB_ENDPOINT: 'npm start runs DynamoDB Local',
  SNS_ENDPOINT: 'npm start runs the local SNS',
  LAMBDA_ENDPOINT: 'npm start runs the local Lambda API',
  AWS_REGION: 'the local stack has one region',
  AUTH_DEV_KEY: 'the local signing key comes from .env.local or the environment',
  AUTH_ISSUER: 'npm start signs its own token',
  AUTH_AUDIENCE: 'npm start signs its own token',
  RUN_SCHEDULE_ENABLED: 'use --schedule',
};

/** Stand-ins for what `serverless.yml` sets on the local stage, so {@link loadConfig} judges only what the person gave. */
const LOCAL_STAGE_SETTINGS = {
  DISCREPANCIES_TABLE: 'local',
  RUNS_TABLE: 'local',
  HISTORY_TABLE: 'local',
  TOTALS_TABLE: 'local',
  OUTBOX_TABLE: 'local',
  ALERTS_TOPIC_ARN: 'arn:aws:sns:us-east-1:123456789012:local',
};

/** Names whose values are credentials: never printed, and masked in every line `npm start` relays. */
const SECRET_NAME = /TOKEN|PASSWORD|LOGIN|SECRET|KEY|CREDENTIAL/;

/**
 * The configuration variables a person may set for the functions: every `${env:NAME…}` that
 * `serverless.yml` reads, as only those reach the functions, minus what the local stack sets
 * itself and the SSM parameter names (the local stack reads no SSM: the value goes in the file).
 */
export function configurationVariables(serverlessYml: string): Set<string> {
  const names = [...serverlessYml.matchAll(/\$\{env:([A-Z][A-Z0-9_]*)/g)].map((match) => match[1] ?? '');
  return new Set(names.filter((name) => !(name in SET_BY_THE_LOCAL_STACK) && !name.endsWith('_PARAMETER')));
}

/** Where `npm start -- --upstreams <file>` takes its settings from. */
export interface UpstreamsInputs {
  /** The file as the person named it (relative to the working directory). */
  path: string;
  /** The exported environment: a non-empty variable wins over the file. */
  exported: Readonly<Record<string, string | undefined>>;
  /** `.env.local`'s variables: the sandbox's settings, none of which may leak into this run. */
  dotenvLocal: Readonly<Record<string, string | undefined>>;
  /** {@link configurationVariables} of serverless.yml. */
  known: ReadonlySet<string>;
}

/** The validated settings of an upstreams file, ready for `sls offline`'s environment. */
export interface Upstreams {
  /** Variables to add to the exported environment of `sls offline`. */
  env: Record<string, string>;
  /** Names the file set, in its order. */
  fromFile: string[];
  /** Names the file set that an exported variable overrides. */
  overridden: string[];
  /** Credential values to mask in anything printed. */
  secrets: string[];
  /** The upstream base URLs in effect, as origins (no path, query or user info). */
  origins: Record<string, string>;
}

/**
 * Reads, checks and merges an upstreams file, before anything starts. Precedence: an exported
 * (non-empty) variable, then the file; `.env.local`'s sandbox settings are blanked rather than
 * used (only its `AUTH_DEV_KEY` remains). A relative `VENUE_ACCOUNTS_FILE` in the file is read
 * from the file's folder. The merged settings are validated by the functions' own
 * {@link loadConfig} and the mapping by {@link loadVenueAccounts}, so this accepts exactly what a
 * run would.
 *
 * @throws {ConfigError} listing every problem found (file, line, variable name; never a value).
 */
export function loadUpstreams(inputs: UpstreamsInputs): Upstreams {
  const parsed = parseEnvFile(readUpstreamsText(inputs.path));
  const fileValues = Object.fromEntries(parsed.assignments.map(({ name, value }) => [name, value]));
  const exported = nonEmpty(inputs.exported);
  const mapping = venueMapping(inputs.path, fileValues, exported);
  const problems = [
    ...byLine([
      ...parsed.problems,
      ...parsed.assignments.flatMap((assignment) => nameProblems(assignment, inputs.known, mapping.references)),
    ]),
    ...mapping.problems,
  ];
  const file = { ...fileValues, ...(mapping.path ? { VENUE_ACCOUNTS_FILE: mapping.path } : {}) };
  const settingNames = new Set([...inputs.known, ...mapping.references]);
  const effective = { ...file, ...pick(exported, settingNames) };
  problems.push(...configProblems(effective));
  if (problems.length > 0) throw new ConfigError(problems.map((problem) => `${inputs.path}: ${problem}`));

  const fromFile = parsed.assignments.map(({ name }) => name);
  return {
    env: { ...blanked(inputs.dotenvLocal, effective), ...pick(file, new Set(fromFile.filter((name) => !(name in exported)))) },
    fromFile,
    overridden: fromFile.filter((name) => name in exported),
    secrets: secretValues(effective, mapping.references),
    origins: origins(effective),
  };
}

/** Problems of the file's lines (`line N: …`) in the file's order. */
function byLine(problems: string[]): string[] {
  const lineOf = (problem: string) => Number(/^line (\d+)/.exec(problem)?.[1] ?? 0);
  return problems.sort((a, b) => lineOf(a) - lineOf(b));
}

function readUpstreamsText(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (cause) {
    const code = cause instanceof Error && 'code' in cause ? String(cause.code) : 'unknown error';
    const problem = code === 'ENOENT' ? 'upstreams file not found' : `cannot read the upstreams file (${code})`;
    throw new ConfigError([`${path}: ${problem}`], { cause });
  }
}

/** Why a name of the file is refused, if it is: set by the stack, an SSM parameter, or not a variable of the product. */
function nameProblems({ name, line }: EnvAssignment, known: ReadonlySet<string>, references: ReadonlySet<string>): string[] {
  if (known.has(name) || references.has(name)) return [];
  const reason = SET_BY_THE_LOCAL_STACK[name];
  if (reason) return [`line ${line}: ${name} is set by the local stack (${reason})`];
  if (name.endsWith('_PARAMETER')) return [`line ${line}: ${name}: the local stack reads no SSM parameter; set the secret itself`];
  const near = nearest(name, [...known, ...references]);
  return [
    `line ${line}: ${name} is not a configuration variable of balance-recon nor named by the venue mapping${near ? ` (did you mean ${near}?)` : ''}`,
  ];
}

/**
 * The venue mapping in effect: its path (made absolute), every string in it (a per-trader
 * credential is referenced by the name of its variable), and its problems.
 */
function venueMapping(
  upstreamsPath: string,
  file: Record<string, string>,
  exported: Record<string, string>,
): { path?: string; references: Set<string>; problems: string[] } {
  const given = exported.VENUE_ACCOUNTS_FILE ?? file.VENUE_ACCOUNTS_FILE;
  if (!given) return { references: new Set(), problems: [] };
  const base = exported.VENUE_ACCOUNTS_FILE ? process.cwd() : dirname(resolve(upstreamsPath));
  const path = isAbsolute(given) ? given : resolve(base, given);
  try {
    return { path, references: new Set(stringsIn(loadVenueAccounts(path))), problems: [] };
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return { path, references: new Set(), problems: error.problems.map((problem) => `VENUE_ACCOUNTS_FILE: ${problem}`) };
  }
}

function stringsIn(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(stringsIn);
  if (value !== null && typeof value === 'object') return Object.values(value).flatMap(stringsIn);
  return [];
}

/** The functions' own verdict on the merged settings: each missing or malformed variable by name. */
function configProblems(effective: Record<string, string>): string[] {
  try {
    loadConfig({ ...effective, ...LOCAL_STAGE_SETTINGS });
    return [];
  } catch (error) {
    if (error instanceof ConfigError) return [...error.problems];
    throw error;
  }
}

/** `.env.local`'s variables that nothing else sets, as empty strings: `sls` loads no dotenv value over a variable already set. */
function blanked(dotenvLocal: Readonly<Record<string, string | undefined>>, effective: Record<string, string>): Record<string, string> {
  const names = Object.keys(dotenvLocal).filter((name) => name !== 'AUTH_DEV_KEY' && !(name in effective));
  return Object.fromEntries(names.map((name) => [name, '']));
}

function secretValues(effective: Record<string, string>, references: ReadonlySet<string>): string[] {
  return Object.entries(effective)
    .filter(([name]) => SECRET_NAME.test(name) || references.has(name))
    .map(([, value]) => value)
    .filter((value) => value.length >= 3);
}

const UPSTREAM_URLS = new Set(['BACKOFFICE_URL', 'REPORTING_URL', 'MULTIMARKETS_URL', 'INDX_URL']);

function origins(effective: Record<string, string>): Record<string, string> {
  const urls = Object.entries(effective).filter(([name, value]) => UPSTREAM_URLS.has(name) && value);
  return Object.fromEntries(urls.map(([name, value]) => [name, new URL(value).origin]));
}

function nonEmpty(env: Readonly<Record<string, string | undefined>>): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter((entry): entry is [string, string] => Boolean(entry[1])));
}

function pick(env: Record<string, string>, names: ReadonlySet<string>): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter(([name]) => names.has(name)));
}

/** The candidate within 3 edits of `name` (the closest), for a typo's message. */
function nearest(name: string, candidates: string[]): string | undefined {
  const scored = candidates.map((candidate) => ({ candidate, distance: editDistance(name, candidate) }));
  const best = scored.sort((a, b) => a.distance - b.distance)[0];
  return best && best.distance <= 3 ? best.candidate : undefined;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}

/**
 * Masks every credential value in a line before it is printed: the product never logs a secret,
 * and this keeps it so for anything `npm start` relays (sls output, summaries, errors).
 */
export function redactor(secrets: readonly string[]): (line: string) => string {
  const ordered = [...new Set(secrets)].sort((a, b) => b.length - a.length);
  return (line) => ordered.reduce((text, secret) => text.split(secret).join('[redacted]'), line);
}
