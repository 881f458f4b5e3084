/**
 * `npm start`: the whole product on this machine. Starts DynamoDB Local (in memory) with the
 * tables and `sls offline` (HTTP API, Lambda invoke API, local SNS; schedules only with
 * `--schedule`), against the sandbox upstreams or, with `--upstreams <file>`, against the
 * upstreams that file names; triggers one run through `POST /runs`, the path a person's manual run
 * takes; prints the run summary (against the sandbox's planted discrepancies, when it ran against
 * the sandbox); then keeps everything up until Ctrl-C, which stops every child process.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs, parseEnv } from 'node:util';
import { signDevToken } from '../lib/auth/jwt';
import { ConfigError } from '../lib/errors';
import type { RunSummary } from '../lib/ports/run-summary';
import type { Manifest } from '../sandbox/book-types';
import {
  SANDBOX_BACKOFFICE_TOKEN,
  SANDBOX_INDX_LOGIN,
  SANDBOX_INDX_PASSWORD,
  SANDBOX_MULTIMARKETS_COMPANY_ID,
  SANDBOX_REPORTING_TOKEN,
  sandboxIndxTraderEnvironment,
} from '../sandbox/credentials';
import { startSandbox } from '../sandbox/server';
import { localDynamoDbClient, startDynamoDbLocal } from './local/dynamodb-local';
import { comparePlanted, formatComparison, formatOutsideTotals } from './local/planted-comparison';
import { discrepancyLines, runSummaryLines } from './local/run-report';
import { choosePorts, PortChoiceError, type StackPorts } from './local/stack-ports';
import { stopChild } from './local/stop-child';
import { createTables, tableNames } from './local/tables';
import { configurationVariables, loadUpstreams, redactor, type Upstreams } from './local/upstreams-file';
import { writeVenueAccountsFile } from './local/venue-accounts-of-book';

/** The venue mapping of the default book (60 users, seed 42); other books get theirs written to a temporary file. */
const SAMPLE_VENUE_ACCOUNTS = resolve('config/venue-accounts.sample.json');
const STAGE = 'local';
const USAGE = `usage: npm start [-- --users N --seed S] [-- --schedule]     against the sandbox (SANDBOX_PORT: its port, default 4010)
       npm start -- --upstreams <file> [--schedule]           against the upstreams the file names (README: "Run against your own upstreams")
ports: --ports free                                           every port not given below one the OS says is free (a second stack beside the first)
       --http-port N --lambda-port N --sns-port N --dynamodb-port N --sandbox-port N   (defaults 3000, 3002, 4002, 8000, 4010)`;

const flags = readFlags();
// The deployed runtime is Node 22; on a Node 20 machine the SDK's upgrade notice is noise.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const dotenvLocal = parseEnv(readFileSync('.env.local', 'utf8'));
/** The local-only signing key of `.env.local` (or the environment): the same one `npm run token` uses. */
const devKey = process.env.AUTH_DEV_KEY || dotenvLocal.AUTH_DEV_KEY || '';
/** Read and checked before anything starts: a bad file stops here, naming each problem. */
const upstreams = flags.upstreams === undefined ? undefined : upstreamsOrExit(flags.upstreams);
const redact = redactor(upstreams?.secrets ?? []);

const stoppers: (() => Promise<void>)[] = [];
let stopping = false;

/** What the run is pointed at: the variables `sls offline` gets, the run's request, and what to print after its summary. */
interface Target {
  env: Record<string, string>;
  runBody: { asOf?: string };
  /** How long a run may take before `npm start` gives up following it. */
  followMs: number;
  report(summary: RunSummary): string[];
  /** The target's own line in the "stays up" list, if it runs here. */
  address?: string;
}

async function main(): Promise<void> {
  const started = Date.now();
  const elapsed = () => `${((Date.now() - started) / 1000).toFixed(1)}s`;
  const ports = await portsOrExit();
  const { sandbox: _sandboxPort, ...stackPorts } = ports;
  await ensurePortsFree(upstreams ? stackPorts : ports);

  step('starting DynamoDB Local (in memory)…');
  // Java starts slowly on a busy machine (a test starting two stacks at once): wait longer than the tests' helper does.
  const dynamo = await startDynamoDbLocal(ports.dynamodb, 90_000);
  stoppers.push(dynamo.stop);
  const tables = tableNames(STAGE);
  const client = localDynamoDbClient(dynamo.endpoint);
  await createTables(client, tables);
  client.destroy();
  step(`DynamoDB Local ready at ${dynamo.endpoint}, tables ${Object.values(tables).join(', ')} (${elapsed()})`);

  const target = upstreams ? upstreamsTarget(upstreams) : await sandboxTarget(elapsed, ports.sandbox);
  step(`starting sls offline (HTTP API, Lambda, SNS${flags.schedule ? ', schedules' : '; no schedule: --schedule runs them'})…`);
  const alerts = { count: 0 };
  const sls = startOffline({ ...target.env, ...endpointVariables(ports, dynamo.endpoint) }, ports, alerts);
  stoppers.push(() => stopChild(sls));
  const api = `http://127.0.0.1:${ports.http}`;
  await Promise.all([waitForHttp(`${api}/`, sls), waitForHttp(`http://127.0.0.1:${ports.sns}/`, sls)]);
  step(`sls offline ready (${elapsed()}); triggering a manual run: POST /runs`);

  const authorization = `Bearer ${signDevToken({ sub: 'npm-start@localhost', roles: ['compliance'], ttlSeconds: 3600, key: devKey })}`;
  const answer = await fetch(`${api}/runs`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization },
    body: JSON.stringify(target.runBody),
  });
  const text = await answer.text();
  if (answer.status !== 202) throw new Error(`POST /runs answered ${answer.status}: ${text.slice(0, 500)}`);
  const { runId } = JSON.parse(text) as { runId: string };
  step(`run ${runId} queued; following GET /runs/${runId}`);
  const summary = await followRun(`${api}/runs/${encodeURIComponent(runId)}`, authorization, target.followMs);
  await waitFor(() => alerts.count >= summary.discrepancies.opened, 10_000);

  console.log('');
  for (const line of [...runSummaryLines(summary, alerts.count, elapsed()), ...target.report(summary)]) console.log(redact(line));
  console.log(`
The stack stays up until Ctrl-C${flags.schedule ? ' (the schedules run too)' : ' (no schedule runs: --schedule starts them)'}:
  Console         ${api}/console/   (sign in locally as anyone)
  HTTP API        ${api}   (POST /runs)
  Lambda invoke   http://127.0.0.1:${ports.lambda}  (functions balance-recon-${STAGE}-runDirect, -runManual, -runScheduled, -alertLog)
  SNS             http://127.0.0.1:${ports.sns}   (topic balance-recon-alerts-${STAGE})
  DynamoDB Local  ${dynamo.endpoint}   (tables ${Object.values(tables).join(', ')})${target.address ? `\n  ${target.address}` : ''}
Try:
  curl -s -X POST ${api}/runs -H "authorization: Bearer $(npm run -s token -- --role compliance)" -H 'content-type: application/json' -d '{}'
  curl -s "${api}/discrepancies?status=open" -H "authorization: Bearer $(npm run -s token -- --role compliance)"${
    upstreams
      ? ''
      : `
  npx sls invoke local -f runDirect --path events/direct-run.json
  npx sls invoke local -f runScheduled --path events/scheduled-run.json`
  }`);
}

/** Starts the sandbox with the asked-for book; the run is compared with the discrepancies it planted. */
async function sandboxTarget(elapsed: () => string, sandboxPort: number): Promise<Target> {
  const { users, seed } = flags;
  // The book is dated now, so its in-flight and after-as-of rows sit around this run's as-of.
  const sandbox = await startSandbox({ host: '127.0.0.1', port: sandboxPort, users, seed, asOf: new Date().toISOString() });
  stoppers.push(sandbox.close);
  const { book } = sandbox;
  step(
    `sandbox upstreams at ${sandbox.url}: ${users} users, seed ${seed}, ${book.manifest.planted.length} discrepancies planted (${elapsed()})`,
  );

  let venueAccountsFile = SAMPLE_VENUE_ACCOUNTS;
  if (users !== 60 || seed !== 42) {
    const dir = mkdtempSync(join(tmpdir(), 'balance-recon-'));
    stoppers.push(async () => rmSync(dir, { recursive: true, force: true }));
    venueAccountsFile = join(dir, 'venue-accounts.json');
    writeVenueAccountsFile(book, venueAccountsFile);
  }
  step(`venue accounts: ${venueAccountsFile} (${book.multiMarketsAccounts.length} MultiMarkets, ${book.indxAccounts.length} INDX)`);
  return {
    env: {
      BACKOFFICE_URL: sandbox.url,
      REPORTING_URL: sandbox.url,
      BACKOFFICE_TOKEN: SANDBOX_BACKOFFICE_TOKEN,
      REPORTING_TOKEN: SANDBOX_REPORTING_TOKEN,
      MULTIMARKETS_URL: sandbox.url,
      MULTIMARKETS_COMPANY_ID: SANDBOX_MULTIMARKETS_COMPANY_ID,
      INDX_URL: sandbox.url,
      INDX_LOGIN: SANDBOX_INDX_LOGIN,
      INDX_PASSWORD: SANDBOX_INDX_PASSWORD,
      // the probe must be a trader on the shared credentials
      INDX_WMID: book.indxAccounts.find((trader) => trader.credentials === null)?.wmid ?? '',
      ...sandboxIndxTraderEnvironment(),
      VENUE_ACCOUNTS_FILE: venueAccountsFile,
    },
    runBody: { asOf: book.asOf },
    followMs: 300_000,
    report: (summary) => plantedLines(book.manifest, summary),
    address: `sandbox         ${sandbox.url}   (manifest: ${sandbox.url}/__sandbox/manifest)`,
  };
}

/** The run's discrepancies against the sandbox's ground truth: each missed and unexpected one, then one line per check. */
function plantedLines(manifest: Manifest, summary: RunSummary): string[] {
  const comparison = comparePlanted(manifest.planted, summary.discrepancies.items);
  const inFlight = Object.values(summary.checks).reduce((total, tally) => total + tally['in-flight'], 0);
  return [
    ...comparison.missed.map((missed) => `  missed: ${missed.check} ${missed.userId} ${missed.asset}`),
    ...comparison.unexpected.map((extra) => `  unexpected: ${extra.check} ${extra.userId} ${extra.asset}`),
    `  in-flight (explained by activity in the grace window, not discrepancies): ${inFlight}, the sandbox expects ${manifest.inFlight.length}`,
    '',
    ...formatComparison(comparison),
    ...formatOutsideTotals(summary.outsideTotals, manifest.outsideTotals),
  ];
}

/** The upstreams of the file: nothing to compare with, so the run's discrepancies are listed as found. */
function upstreamsTarget(settings: Upstreams): Target {
  const where = Object.entries(settings.origins).map(([name, origin]) => `${name} ${origin}`);
  step(`upstreams from ${flags.upstreams}: ${where.join(', ')}`);
  step(
    `${settings.fromFile.length} variables from the file${settings.overridden.length > 0 ? `; exported variables override ${settings.overridden.join(', ')}` : ''}`,
  );
  return {
    env: settings.env,
    runBody: {},
    // A run against real venues may spend its whole Lambda timeout (15 minutes) reading them.
    followMs: 960_000,
    report: (summary) =>
      summary.discrepancies.items.length > 0 ? ['', 'discrepancies:', ...discrepancyLines(summary.discrepancies.items)] : [],
  };
}

function upstreamsOrExit(path: string): Upstreams {
  try {
    return loadUpstreams({
      path,
      exported: process.env,
      dotenvLocal,
      known: configurationVariables(readFileSync('serverless.yml', 'utf8')),
    });
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(`[start] ${path} cannot be used; nothing was started:`);
    for (const problem of error.problems) console.error(`  ${problem}`);
    process.exit(2);
  }
}

/**
 * Runs `sls offline start` for the local stage with `env` over the exported environment; counts
 * alerts its subscriber logs. Against a file's upstreams the functions get the whole environment
 * (`--localEnvironment`), so variables the venue mapping names reach them.
 */
function startOffline(env: Record<string, string>, ports: StackPorts, alerts: { count: number }): ChildProcess {
  const args = ['node_modules/serverless/bin/serverless.js', 'offline', 'start', '--stage', STAGE];
  args.push('--httpPort', String(ports.http), '--lambdaPort', String(ports.lambda));
  const child = spawn(process.execPath, upstreams ? [...args, '--localEnvironment'] : args, {
    env: {
      ...process.env,
      ...env,
      RUN_SCHEDULE_ENABLED: flags.schedule ? 'true' : 'false',
      AUTH_DEV_KEY: devKey,
      AUTH_ISSUER: '',
      AUTH_AUDIENCE: '',
      SLS_TELEMETRY_DISABLED: '1',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      SLS_NOTIFICATIONS_MODE: 'off',
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  for (const stream of [child.stdout, child.stderr]) {
    if (!stream) continue;
    createInterface({ input: stream }).on('line', (line) => {
      const alert = alertSubject(line);
      if (alert !== undefined) {
        alerts.count++;
        console.log(redact(`  alert │ ${alert}`));
      } else if (!isNoise(line)) {
        console.log(redact(`  sls │ ${line}`));
      }
    });
  }
  return child;
}

/**
 * Where the functions find the local services (serverless.yml reads each as `${env:…, param:…}`), and the
 * port the SNS plugin listens on: so a stack on other ports talks to its own services, never the default ones.
 */
function endpointVariables(ports: StackPorts, dynamodbEndpoint: string): Record<string, string> {
  return {
    DYNAMODB_ENDPOINT: dynamodbEndpoint,
    SNS_ENDPOINT: `http://127.0.0.1:${ports.sns}`,
    LAMBDA_ENDPOINT: `http://127.0.0.1:${ports.lambda}`,
    OFFLINE_SNS_PORT: String(ports.sns),
  };
}

/** The ports asked for on the command line (and SANDBOX_PORT), the rest the defaults or, with `--ports free`, free ones. */
async function portsOrExit(): Promise<StackPorts> {
  try {
    return await choosePorts(flags.ports, { free: flags.freePorts });
  } catch (error) {
    if (!(error instanceof PortChoiceError)) throw error;
    return usageError(error.message);
  }
}

/** The command line, checked: `--upstreams` excludes the sandbox's book options. */
function readFlags() {
  let values: {
    users?: string;
    seed?: string;
    upstreams?: string;
    schedule?: boolean;
    help?: boolean;
    ports?: string;
    'http-port'?: string;
    'lambda-port'?: string;
    'sns-port'?: string;
    'dynamodb-port'?: string;
    'sandbox-port'?: string;
  };
  try {
    ({ values } = parseArgs({
      options: {
        users: { type: 'string' },
        seed: { type: 'string' },
        upstreams: { type: 'string' },
        ports: { type: 'string' },
        'http-port': { type: 'string' },
        'lambda-port': { type: 'string' },
        'sns-port': { type: 'string' },
        'dynamodb-port': { type: 'string' },
        'sandbox-port': { type: 'string' },
        schedule: { type: 'boolean', default: false },
        help: { type: 'boolean', default: false },
      },
    }));
  } catch (error) {
    return usageError(error instanceof Error ? error.message : String(error));
  }
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  if (values.upstreams !== undefined && (values.users !== undefined || values.seed !== undefined)) {
    return usageError('--users and --seed size the sandbox book; --upstreams runs without the sandbox');
  }
  if (values.ports !== undefined && values.ports !== 'free') return usageError(`--ports takes "free", got ${JSON.stringify(values.ports)}`);
  const port = (name: string, text: string | undefined) => (text === undefined ? undefined : wholeNumber(name, text, 1));
  return {
    users: wholeNumber('--users', values.users ?? '60', 1),
    seed: wholeNumber('--seed', values.seed ?? '42', 0),
    freePorts: values.ports === 'free',
    ports: {
      http: port('--http-port', values['http-port']),
      lambda: port('--lambda-port', values['lambda-port']),
      sns: port('--sns-port', values['sns-port']),
      dynamodb: port('--dynamodb-port', values['dynamodb-port']),
      sandbox: port('--sandbox-port', values['sandbox-port']) ?? port('SANDBOX_PORT', process.env.SANDBOX_PORT),
    },
    upstreams: values.upstreams,
    schedule: values.schedule === true,
  };
}

function usageError(message: string): never {
  console.error(`${message}\n${USAGE}`);
  process.exit(2);
}

/** The subject of an alert the local subscriber (functions/alert-log.ts) logged, if the line is one. */
function alertSubject(line: string): string | undefined {
  if (!line.includes('"message":"alert"')) return undefined;
  try {
    const entry = JSON.parse(line) as { message?: string; subject?: string };
    return entry.message === 'alert' ? (entry.subject ?? '') : undefined;
  } catch {
    return undefined;
  }
}

/** Lines of sls output that say nothing a person needs (the SDK's Node 20 notice, blank lines). */
function isNoise(line: string): boolean {
  return (
    line.trim() === '' ||
    /NodeDeprecationWarning|will no longer support Node\.js|Please upgrade to Node\.js|More information can be found|^\s*at /.test(line)
  );
}

async function waitForHttp(url: string, child: ChildProcess, timeoutMs = 90_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`sls offline exited with code ${child.exitCode} before ${url} answered`);
    try {
      await fetch(url, { signal: AbortSignal.timeout(1000) });
      return;
    } catch {
      if (Date.now() > deadline) throw new Error(`${url} did not answer within ${timeoutMs / 1000} s`);
      await sleep(250);
    }
  }
}

/** Polls `GET /runs/{id}` until the run is done, showing its progress. */
async function followRun(runUrl: string, authorization: string, timeoutMs: number): Promise<RunSummary> {
  const runId = decodeURIComponent(runUrl.slice(runUrl.lastIndexOf('/') + 1));
  const deadline = Date.now() + timeoutMs;
  let shown = '';
  for (;;) {
    const answer = await fetch(runUrl, { headers: { authorization } });
    if (answer.status === 200) {
      const run = (await answer.json()) as RunSummary;
      if (run.status !== 'queued' && run.status !== 'running') return run;
      const line = run.progress ? `${run.progress.users} users, ${run.progress.discrepancies} discrepancies so far` : run.status;
      if (line !== shown) step(`run ${runId}: ${line}`);
      shown = line;
    } else if (answer.status !== 404) {
      throw new Error(`GET /runs/${runId} answered ${answer.status}: ${(await answer.text()).slice(0, 300)}`);
    }
    if (Date.now() > deadline) throw new Error(`run ${runId} did not finish within ${timeoutMs / 1000} s`);
    await sleep(500);
  }
}

async function waitFor(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition() && Date.now() < deadline) await sleep(100);
}

async function ensurePortsFree(ports: Record<string, number>): Promise<void> {
  for (const [name, port] of Object.entries(ports)) {
    const free = await new Promise<boolean>((resolve) => {
      const server = createServer()
        .once('error', () => resolve(false))
        .once('listening', () => server.close(() => resolve(true)))
        .listen(port, '127.0.0.1');
    });
    if (!free) throw new Error(`port ${port} (${name}) is in use: is another \`npm start\` running?`);
  }
}

async function shutdown(code: number): Promise<void> {
  if (stopping) return;
  stopping = true;
  step('stopping…');
  for (const stop of stoppers.reverse()) await stop().catch(() => undefined);
  step('stopped every process');
  process.exit(code);
}

function wholeNumber(name: string, text: string, min: number): number {
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < min) usageError(`${name} must be a whole number ≥ ${min}, got ${JSON.stringify(text)}`);
  return value;
}

function step(message: string): void {
  console.log(`[start] ${message}`);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

process.on('SIGINT', () => void shutdown(0));
process.on('SIGTERM', () => void shutdown(0));
main().catch(async (error: unknown) => {
  // Ctrl-C during start-up stops the children under a pending call: its failure is expected then.
  if (stopping) return;
  console.error(redact(`[start] failed: ${error instanceof Error ? error.message : String(error)}`));
  await shutdown(1);
});
