/**
 * `npm start`: the whole product on this machine. Starts DynamoDB Local (in memory) with the
 * tables, the sandbox upstreams, and `sls offline` (HTTP API, Lambda invoke API, local SNS,
 * schedules); triggers one run through `POST /runs`, the path a person's manual run takes;
 * prints the run summary against the sandbox's planted discrepancies; then keeps everything up
 * until Ctrl-C, which stops every child process.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs, parseEnv } from 'node:util';
import { signDevToken } from '../lib/auth/jwt';
import type { RunSummary } from '../lib/runs/run-summary';
import {
  SANDBOX_BACKOFFICE_TOKEN,
  SANDBOX_INDX_LOGIN,
  SANDBOX_INDX_PASSWORD,
  SANDBOX_MULTIMARKETS_COMPANY_ID,
  SANDBOX_REPORTING_TOKEN,
} from '../sandbox/credentials';
import { startSandbox } from '../sandbox/server';
import { localDynamoDbClient, startDynamoDbLocal } from './local/dynamodb-local';
import { comparePlanted, formatComparison } from './local/planted-comparison';
import { createTables, tableNames } from './local/tables';
import { writeVenueAccountsFile } from './local/venue-accounts-of-book';

const PORTS = { dynamodb: 8000, http: 3000, lambda: 3002, sns: 4002 };
/** The venue mapping of the default book (60 users, seed 42); other books get theirs written to a temporary file. */
const SAMPLE_VENUE_ACCOUNTS = resolve('config/venue-accounts.sample.json');
const STAGE = 'local';

const { values: flags } = parseArgs({
  options: {
    users: { type: 'string', default: '60' },
    seed: { type: 'string', default: '42' },
    help: { type: 'boolean', default: false },
  },
});
if (flags.help) {
  console.log('usage: npm start [-- --users N] [-- --seed S]   (SANDBOX_PORT sets the sandbox port, default 4010)');
  process.exit(0);
}
const users = wholeNumber('--users', flags.users, 1);
const seed = wholeNumber('--seed', flags.seed, 0);
const sandboxPort = wholeNumber('SANDBOX_PORT', process.env.SANDBOX_PORT ?? '4010', 1);

// The deployed runtime is Node 22; on a Node 20 machine the SDK's upgrade notice is noise.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

/** The local-only signing key of `.env.local` (or the environment): the same one `npm run token` uses. */
const devKey = process.env.AUTH_DEV_KEY || parseEnv(readFileSync('.env.local', 'utf8')).AUTH_DEV_KEY || '';

const stoppers: (() => Promise<void>)[] = [];
let stopping = false;

async function main(): Promise<void> {
  const started = Date.now();
  const elapsed = () => `${((Date.now() - started) / 1000).toFixed(1)}s`;
  await ensurePortsFree({ ...PORTS, sandbox: sandboxPort });

  step('starting DynamoDB Local (in memory)…');
  const dynamo = await startDynamoDbLocal(PORTS.dynamodb);
  stoppers.push(dynamo.stop);
  const tables = tableNames(STAGE);
  const client = localDynamoDbClient(dynamo.endpoint);
  await createTables(client, tables);
  client.destroy();
  step(`DynamoDB Local ready at ${dynamo.endpoint}, tables ${Object.values(tables).join(', ')} (${elapsed()})`);

  // The book is dated now, so its in-flight and after-as-of rows sit around this run's as-of.
  const sandbox = await startSandbox({ host: '127.0.0.1', port: sandboxPort, users, seed, asOf: new Date().toISOString() });
  stoppers.push(sandbox.close);
  const planted = sandbox.book.manifest.planted;
  step(`sandbox upstreams at ${sandbox.url}: ${users} users, seed ${seed}, ${planted.length} discrepancies planted (${elapsed()})`);

  let venueAccountsFile = SAMPLE_VENUE_ACCOUNTS;
  if (users !== 60 || seed !== 42) {
    const dir = mkdtempSync(join(tmpdir(), 'balance-recon-'));
    stoppers.push(async () => rmSync(dir, { recursive: true, force: true }));
    venueAccountsFile = join(dir, 'venue-accounts.json');
    writeVenueAccountsFile(sandbox.book, venueAccountsFile);
  }
  step(
    `venue accounts: ${venueAccountsFile} (${sandbox.book.multiMarketsAccounts.length} MultiMarkets, ${sandbox.book.indxAccounts.length} INDX)`,
  );

  step('starting sls offline (HTTP API, Lambda, SNS, schedules)…');
  const alerts = { count: 0 };
  const sls = startOffline(
    sandbox.url,
    venueAccountsFile,
    sandbox.book.indxAccounts.find((trader) => trader.credentials === null)?.wmid,
    alerts,
  );
  stoppers.push(() => stopChild(sls));
  await Promise.all([waitForHttp(`http://127.0.0.1:${PORTS.http}/`, sls), waitForHttp(`http://127.0.0.1:${PORTS.sns}/`, sls)]);
  step(`sls offline ready (${elapsed()}); triggering a manual run: POST /runs`);

  const authorization = `Bearer ${signDevToken({ sub: 'npm-start@localhost', roles: ['compliance'], ttlSeconds: 3600, key: devKey })}`;
  const answer = await fetch(`http://127.0.0.1:${PORTS.http}/runs`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization },
    body: JSON.stringify({ asOf: sandbox.book.asOf }),
  });
  const text = await answer.text();
  if (answer.status !== 202) throw new Error(`POST /runs answered ${answer.status}: ${text.slice(0, 500)}`);
  const { runId } = JSON.parse(text) as { runId: string };
  step(`run ${runId} queued; following GET /runs/${runId}`);
  const summary = await followRun(runId, authorization);
  await waitFor(() => alerts.count >= summary.discrepancies.opened, 10_000);

  const comparison = comparePlanted(planted, summary.discrepancies.items);
  console.log('');
  console.log(`run ${summary.runId}: ${summary.status}, ${summary.users} users, ${summary.positions} positions, ${elapsed()} since start`);
  for (const [check, tally] of Object.entries(summary.checks)) {
    console.log(`  ${check}: ${tally.match} match, ${tally.mismatch} mismatch, ${tally['in-flight']} in-flight, ${tally.unknown} unknown`);
  }
  for (const [source, health] of Object.entries(summary.sources)) {
    console.log(`  source ${source}: ${health.status}${health.firstError ? ` (${health.firstError})` : ''}`);
  }
  console.log(
    `  discrepancies recorded: ${summary.discrepancies.total}, alerts published: ${summary.discrepancies.opened}, delivered to the local subscriber: ${alerts.count}`,
  );
  if (summary.discrepancies.truncated) console.log('  (the summary lists the first discrepancies only; DynamoDB has them all)');
  for (const missed of comparison.missed) console.log(`  missed: ${missed.check} ${missed.userId} ${missed.asset}`);
  for (const extra of comparison.unexpected) console.log(`  unexpected: ${extra.check} ${extra.userId} ${extra.asset}`);
  const inFlight = Object.values(summary.checks).reduce((total, tally) => total + tally['in-flight'], 0);
  console.log(
    `  in-flight (explained by activity in the grace window, not discrepancies): ${inFlight}, the sandbox expects ${sandbox.book.manifest.inFlight.length}`,
  );
  console.log('');
  for (const line of formatComparison(comparison)) console.log(line);
  console.log(`
The stack stays up until Ctrl-C:
  HTTP API        http://127.0.0.1:${PORTS.http}   (POST /runs)
  Lambda invoke   http://127.0.0.1:${PORTS.lambda}  (functions balance-recon-${STAGE}-runDirect, -runManual, -runScheduled, -alertLog)
  SNS             http://127.0.0.1:${PORTS.sns}   (topic balance-recon-alerts-${STAGE})
  DynamoDB Local  ${dynamo.endpoint}   (tables ${Object.values(tables).join(', ')})
  sandbox         ${sandbox.url}   (manifest: ${sandbox.url}/__sandbox/manifest)
Try:
  curl -s -X POST http://127.0.0.1:${PORTS.http}/runs -H "authorization: Bearer $(npm run -s token -- --role compliance)" -H 'content-type: application/json' -d '{}'
  curl -s "http://127.0.0.1:${PORTS.http}/discrepancies?status=open" -H "authorization: Bearer $(npm run -s token -- --role compliance)"
  npx sls invoke local -f runDirect --path events/direct-run.json
  npx sls invoke local -f runScheduled --path events/scheduled-run.json`);
}

/** Runs `sls offline start` for the local stage, pointing the functions at the sandbox; counts alerts its subscriber logs. */
function startOffline(
  sandboxUrl: string,
  venueAccountsFile: string,
  indxWmid: string | undefined,
  alerts: { count: number },
): ChildProcess {
  const child = spawn(process.execPath, ['node_modules/serverless/bin/serverless.js', 'offline', 'start', '--stage', STAGE], {
    env: {
      ...process.env,
      BACKOFFICE_URL: sandboxUrl,
      REPORTING_URL: sandboxUrl,
      BACKOFFICE_TOKEN: SANDBOX_BACKOFFICE_TOKEN,
      REPORTING_TOKEN: SANDBOX_REPORTING_TOKEN,
      MULTIMARKETS_URL: sandboxUrl,
      MULTIMARKETS_COMPANY_ID: SANDBOX_MULTIMARKETS_COMPANY_ID,
      INDX_URL: sandboxUrl,
      INDX_LOGIN: SANDBOX_INDX_LOGIN,
      INDX_PASSWORD: SANDBOX_INDX_PASSWORD,
      INDX_WMID: indxWmid ?? '',
      VENUE_ACCOUNTS_FILE: venueAccountsFile,
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
        console.log(`  alert │ ${alert}`);
      } else if (!isNoise(line)) {
        console.log(`  sls │ ${line}`);
      }
    });
  }
  return child;
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
async function followRun(runId: string, authorization: string, timeoutMs = 300_000): Promise<RunSummary> {
  const deadline = Date.now() + timeoutMs;
  let shown = '';
  for (;;) {
    const answer = await fetch(`http://127.0.0.1:${PORTS.http}/runs/${encodeURIComponent(runId)}`, { headers: { authorization } });
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

function stopChild(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGINT');
    setTimeout(() => child.kill('SIGKILL'), 5_000).unref();
  });
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
  if (!Number.isSafeInteger(value) || value < min) {
    console.error(`${name} must be a whole number ≥ ${min}, got ${JSON.stringify(text)}`);
    process.exit(2);
  }
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
  console.error(`[start] failed: ${error instanceof Error ? error.message : String(error)}`);
  await shutdown(1);
});
