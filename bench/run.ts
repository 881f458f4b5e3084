/**
 * `npm run bench [-- --positions N] [-- --seed S] [-- --page-cap C] [-- --incremental] [-- --no-cold]`: measures,
 * in this process and one run, against the sandbox (its own process) over HTTP, whose every paged endpoint answers
 * at most `--page-cap` rows a page (default 15, as in the documents; the product asks more and follows the server):
 *   - the floor: fetching and parsing every page a full run needs, with the product's own clients;
 *   - the full run: every check except the rate-limited venues, recording in DynamoDB Local;
 *   - the exact-arithmetic hot path against an 80-digit decimal oracle on the same inputs.
 * and prints `bench: N positions, run X s, floor Y s, ratio R, peak RSS M MB, Z positions/s`.
 * `--incremental`: both runs with `FULL_VERIFY_HOURS=24`; then adds 1 % new history rows on 1 % of the users in the
 * sandbox, an hour on,
 * and runs again, printing how many history rows the second run read against the first and every upstream call
 * of both runs by endpoint (the sandbox counts them), the second's as a ratio of the first's. The bundles' size
 * and cold initialisation follow.
 */
import { spawn } from 'node:child_process';
import { parseArgs } from 'node:util';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import Decimal from 'decimal.js';
import { loadConfig } from '../lib/config';
import { CHECK_IDS, type CheckId } from '../lib/domain/check-id';
import { amountSplitCheck } from '../lib/domain/checks/amount-split';
import { toDiscrepancy } from '../lib/domain/discrepancy';
import type { StoredPosition } from '../lib/domain/ledger';
import { Amount } from '../lib/domain/money';
import { Precision } from '../lib/domain/precision';
import { mismatch } from '../lib/domain/verdict';
import { concurrencyLimit } from '../lib/policy/concurrency-limit';
import type { AlertPublisher } from '../lib/ports/alerts';
import type { HistoryChunk } from '../lib/ports/history';
import type { RunDeps, RunPorts } from '../lib/ports/run';
import { reconcile } from '../lib/runs/reconcile';
import { RunEffects } from '../lib/runs/run-effects';
import { discrepancyRef } from '../lib/runs/run-summary';
import { emptyShardTally } from '../lib/runs/shard-tally';
import { DynamoDbDiscrepancyStore, type StoreTables } from '../lib/store/dynamodb-discrepancy-store';
import { DynamoDbHistoryStore } from '../lib/store/dynamodb-history-store';
import { DynamoDbAlertOutbox } from '../lib/store/dynamodb-outbox';
import { DynamoDbRunState } from '../lib/store/dynamodb-run-state';
import { type Wiring, wire } from '../lib/wiring';
import { SANDBOX_BACKOFFICE_TOKEN, SANDBOX_REPORTING_TOKEN } from '../sandbox/credentials';
import { localDynamoDbClient, startDynamoDbLocal } from '../scripts/local/dynamodb-local';
import { createTables, tableNames } from '../scripts/local/tables';
import { formatColdInit, measureColdInit } from './cold-init';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const { values } = parseArgs({
  allowNegative: true,
  options: {
    positions: { type: 'string', default: '1000000' },
    seed: { type: 'string', default: '1' },
    'page-cap': { type: 'string', default: '15' },
    incremental: { type: 'boolean', default: false },
    cold: { type: 'boolean', default: true },
  },
});
const positions = Number(values.positions);
const seed = Number(values.seed);
/** The most rows a page of the sandbox answers, whatever is asked: the documents' examples all answer 15. */
const pageCap = Number(values['page-cap']);
if (!Number.isSafeInteger(pageCap) || pageCap < 1 || pageCap > 1000)
  throw new Error(`--page-cap must be a whole number in 1..1000, got ${values['page-cap']}`);
if (!Number.isSafeInteger(positions) || positions < 100)
  throw new Error(`--positions must be a whole number ≥ 100, got ${values.positions}`);

/** `per_page` asked of the reports and the back office; the sandbox answers at most `pageCap`. */
const PAGE_SIZE = 1000;
/** `per_page` asked of the user listing; its pages as answered (at most `pageCap` users) are the run's batches, checkpoints and running-totals chunks. */
const BATCH = 200;
const CONCURRENCY = 16;
/** Pages of findings and running totals written to warm DynamoDB Local up before the measurements. */
const WARM_PAGES = 400;
/** Users of the book whose two runs warm DynamoDB Local up with the run's own requests. */
const WARM_USERS = 10_000;
/** Pages in flight at once, in the run and in the floor alike. */
const PAGES_AT_ONCE = 6;

const silent: AlertPublisher = {
  discrepancyOpened: async () => undefined,
  discrepancyEscalated: async () => undefined,
  discrepancyResolved: async () => undefined,
  discrepancyStorm: async () => undefined,
  sourceUnhealthy: async () => undefined,
  sourceRecovered: async () => undefined,
};

/**
 * The bench's wiring: the run functions' own ({@link wire}), from their own variables pointed at
 * the sandbox and DynamoDB Local, with the bench's page sizes and concurrency, and no retry (a
 * retry would hide a slow page in the measurement).
 */
function benchWiring(url: string, tables: Required<StoreTables>, dynamoDbEndpoint: string): Wiring {
  const config = loadConfig({
    STAGE: 'local',
    LOG_LEVEL: 'error',
    AWS_REGION: 'us-east-1',
    BACKOFFICE_URL: url,
    REPORTING_URL: url,
    BACKOFFICE_TOKEN: SANDBOX_BACKOFFICE_TOKEN,
    REPORTING_TOKEN: SANDBOX_REPORTING_TOKEN,
    DISCREPANCIES_TABLE: tables.discrepancies,
    RUNS_TABLE: tables.runs,
    HISTORY_TABLE: tables.history,
    TOTALS_TABLE: tables.totals,
    OUTBOX_TABLE: tables.outbox,
    DYNAMODB_ENDPOINT: dynamoDbEndpoint,
    ALERTS_TOPIC_ARN: 'arn:aws:sns:us-east-1:000000000000:bench-alerts',
    SOURCE_CONCURRENCY: String(CONCURRENCY),
    SHARD_USERS: '20000',
    SHARD_CONCURRENCY: '1',
    HTTP_TIMEOUT_MS: '60000',
    HTTP_RETRIES: '0',
    PAGE_SIZE: String(PAGE_SIZE),
    USER_BATCH_SIZE: String(BATCH),
  });
  return wire(config);
}

/**
 * The floor: every page a full run reads, in the run's pattern — per page of the listing, each
 * user's balances, open orders and back-office available funds (`GET …/balance/`, at most
 * `CONCURRENCY` at once, as the run reads them), the page's back-office balances, its transfers and
 * orders, and the fills of those orders; `PAGES_AT_ONCE` pages in flight — parsed by the product's
 * clients and dropped.
 */
async function floor(ports: Pick<RunPorts, 'reporting' | 'backOffice'>, pageLimit = Number.MAX_SAFE_INTEGER): Promise<number> {
  const { reporting, backOffice } = ports;
  const limit = concurrencyLimit(CONCURRENCY);
  await reporting.assets();
  const { total, pageSize } = await reporting.usersPage({}, 1, BATCH);
  const pages = Math.min(pageLimit, Math.max(1, Math.ceil(total / pageSize)));
  let rows = 0;
  const page = async (n: number) => {
    const { users } = await reporting.usersPage({}, n, BATCH);
    const ids = users.map((user) => user.userId);
    const [balances, open, bo, available, orders, transfers] = await Promise.all([
      Promise.all(ids.map((id) => reporting.userBalances(id))),
      Promise.all(ids.map((id) => reporting.openOrders(id))),
      backOffice.balances(ids),
      Promise.all(ids.map((id) => limit(() => backOffice.available(id)))),
      reporting.finishedOrders(ids),
      reporting.transfers(ids),
    ]);
    const trades = await reporting.tradesOfOrders([...orders.map((order) => order.orderId), ...open.flat().map((order) => order.orderId)]);
    rows += users.length + balances.flat().length + open.flat().length + bo.length;
    rows += available.reduce((sum, answer) => sum + (answer.found ? answer.available.size : 0), 0);
    rows += orders.length + transfers.length + trades.length;
  };
  let next = 1;
  await Promise.all(
    Array.from({ length: PAGES_AT_ONCE }, async () => {
      while (next <= pages) await page(next++);
    }),
  );
  return rows;
}

/** The sandbox in its own process (its book is not this process's memory), answering on a free port. */
async function startSandboxProcess(users: number, bookSeed = seed): Promise<{ url: string; stop: () => Promise<void> }> {
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      'sandbox/main.ts',
      '--users',
      String(users),
      '--seed',
      String(bookSeed),
      '--port',
      '0',
      '--page-cap',
      String(pageCap),
    ],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
      env: { ...process.env, NODE_OPTIONS: '--max-old-space-size=16384 --max-semi-space-size=32' },
    },
  );
  const stop = () =>
    new Promise<void>((done) => {
      if (child.exitCode !== null) return done();
      child.once('exit', () => done());
      child.kill('SIGTERM');
    });
  const url = await new Promise<string>((resolve, reject) => {
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const found = /listening at (http:\/\/\S+)/.exec(output);
      if (found?.[1]) resolve(found[1]);
    });
    child.once('exit', (code) => reject(new Error(`the sandbox exited (code ${code}) before listening: ${output.slice(-500)}`)));
  });
  return { url, stop };
}

async function control<T>(url: string, route: string, body?: unknown): Promise<T> {
  const response = await fetch(`${url}/__sandbox/${route}`, {
    method: body === undefined ? 'GET' : 'POST',
    ...(body !== undefined && { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
  });
  if (!response.ok) throw new Error(`sandbox ${route}: HTTP ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

/**
 * DynamoDB Local is a JVM, and its JIT compiler works long after it starts: after 100 warm-up pages
 * its C2 compiler threads still used 3.1 s of its 5.8 s of CPU during a 100,000-position run, and
 * 1.5 s after 400 (per-thread CPU from /proc). In tables of their own, the product's stores write and
 * read as a run does — findings of every check in transactions, running totals, batched reads,
 * checkpoints — so the measured run does not pay for the stand-in's warm-up, which the floor never
 * meets.
 */
async function warmDynamoDb(client: DynamoDBClient, documents: DynamoDBDocumentClient): Promise<void> {
  const tables = tableNames(`warm${Date.now()}`);
  await createTables(client, tables);
  const store = new DynamoDbDiscrepancyStore(documents, tables, undefined, new DynamoDbAlertOutbox(documents, tables.outbox));
  const history = new DynamoDbHistoryStore(documents, tables.totals);
  const at = new Date();
  const effects = await RunEffects.start(store, 'warm', {
    alertAfterRuns: 1,
    dryRun: false,
    startedAt: at.toISOString(),
    clock: { now: () => new Date() },
  });
  const position = (n: number): StoredPosition => [`${n}.${n * 7919}`, [n % 9, `${n * 31}.5`, `t-${n}-${n * 13}`, at.getTime() - n]];
  const runState = new DynamoDbRunState(documents, tables.runs);
  const tally = emptyShardTally(1);
  let totals = new Map<string, HistoryChunk>();
  for (let page = 0; page < WARM_PAGES; page++) {
    const found = Array.from({ length: 50 }, (_, i) =>
      toDiscrepancy(
        mismatch(
          { check: CHECK_IDS[i % CHECK_IDS.length] as CheckId, userId: `warm-${page}-${i}`, asset: 'btc' },
          'amount',
          Amount.ZERO,
          Amount.parse(`-${i + 1}`),
          // As few and as many figures as the checks' evidence has.
          Object.fromEntries(Array.from({ length: 1 + (i % 17) }, (_, k) => [`source.figure${k}`, `${page}.${i}${k}`])),
        ),
        'warm',
        at,
      ),
    );
    await effects.findings(found);
    const users = Object.fromEntries(
      Array.from({ length: 200 }, (_, i) => [
        `warm-${page}-${i}`,
        { positions: { btc: position(page * 200 + i), eth: position(i) }, applied: [], pending: [], openOrders: [] },
      ]),
    );
    totals.set(`warm#${page}`, { watermark: at.getTime(), users });
    if (page % 10 === 9) {
      await history.save(totals);
      totals = new Map();
      await history.load(Array.from({ length: 10 }, (_, i) => `warm#${page - i}`));
      tally.items = found.map(discrepancyRef);
      await runState.saveTally('warm', page, tally);
      await runState.loadTally('warm', page);
    }
  }
}

/**
 * What a run of the bench is given: the wiring's dependencies, an outbox drained to no alerts, no
 * metrics written, and the shards run in this process (no shard function to invoke).
 */
function runDeps({ deps }: Wiring): RunDeps {
  return {
    ...deps,
    ports: { ...deps.ports, alerts: silent, metrics: undefined },
    settings: { ...deps.settings, pageConcurrency: PAGES_AT_ONCE, ...(values.incremental && { fullVerifyHours: 24 }) },
  };
}

/** The upstream calls the sandbox answered since its counts were last reset, by route (its own control routes left out). */
async function upstreamCalls(url: string): Promise<Record<string, number>> {
  const { requests } = await control<{ requests: Record<string, number> }>(url, 'stats');
  return Object.fromEntries(Object.entries(requests).filter(([route]) => !route.includes('/__sandbox/')));
}

/** Both runs' calls by route, and the second's total as a share of the first's. */
function formatCalls(first: Record<string, number>, second: Record<string, number>): string {
  const total = (calls: Record<string, number>) => Object.values(calls).reduce((sum, n) => sum + n, 0);
  const routes = [...new Set([...Object.keys(first), ...Object.keys(second)])].sort();
  const lines = routes.map((route) => `bench:   ${route}: ${first[route] ?? 0} → ${second[route] ?? 0}`);
  return [
    `bench: upstream calls, first run → second run (FULL_VERIFY_HOURS=24, an hour later): ${total(first)} → ${total(second)}, ratio ${(total(second) / Math.max(total(first), 1)).toFixed(3)}`,
    ...lines,
  ].join('\n');
}

/**
 * Then two whole runs over a small book of another seed, into tables of their own: the second
 * re-observes what the first opened and rolls the running totals forward. However varied, the
 * synthetic requests above are not the run's own: DynamoDB Local kept deoptimising and recompiling
 * during the measured run (JFR: 151 deoptimisations in a 100,000-position run, `unstable_if` and
 * `class_check`, on paths the synthetic warm-up never took). With these runs its C2 threads used
 * 0.55 s instead of 1.88 s during a 100,000-position run.
 */
async function warmRuns(client: DynamoDBClient, dynamoDbEndpoint: string): Promise<void> {
  const book = await startSandboxProcess(WARM_USERS, seed + 1);
  try {
    const tables = tableNames(`warmrun${Date.now()}`);
    await createTables(client, tables);
    const { asOf } = await control<{ asOf: string }>(book.url, 'manifest');
    for (const pass of [1, 2]) {
      await reconcile(
        { runId: `warm-${Date.now()}-${pass}`, trigger: { type: 'direct', by: 'bench' }, asOf: new Date(asOf) },
        runDeps(benchWiring(book.url, tables, dynamoDbEndpoint)),
      );
    }
  } finally {
    await book.stop();
  }
}

/** The hot path (amount-split in exact bigints) against an 80-digit decimal oracle on the same inputs. */
function arithmetic(count: number): { disagreements: number; exactSeconds: number; oracleSeconds: number } {
  const Oracle = Decimal.clone({ precision: 80 });
  const precision = new Precision(new Map([['eth', 18]]));
  let state = seed * 2654435761;
  const next = () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return BigInt(state);
  };
  const inputs = Array.from({ length: count }, (_, i) => {
    const locked = next() * 10n ** 12n + next();
    const available = next() * 10n ** 14n + next() * 7n;
    const amount = locked + available + (i % 97 === 0 ? 1n : 0n);
    return [amount, locked, available].map((units) => Amount.of(units, 18).toString()) as [string, string, string];
  });
  let started = performance.now();
  const exact = inputs.map(
    ([amount, locked, available]) =>
      amountSplitCheck(
        {
          userId: 'u',
          asset: 'eth',
          reporting: { amount: Amount.parse(amount), locked: Amount.parse(locked), available: Amount.parse(available) },
        },
        precision,
      ).outcome === 'mismatch',
  );
  const exactSeconds = (performance.now() - started) / 1000;
  started = performance.now();
  const oracle = inputs.map(([amount, locked, available]) => !new Oracle(amount).minus(new Oracle(locked).plus(available)).isZero());
  const oracleSeconds = (performance.now() - started) / 1000;
  return { disagreements: exact.filter((flag, i) => flag !== oracle[i]).length, exactSeconds, oracleSeconds };
}

async function main(): Promise<void> {
  const users = Math.ceil(positions / 3.07);
  console.log(
    `bench: generating a book of ~${positions} positions (${users} users, seed ${seed}, page cap ${pageCap}) in a sandbox process…`,
  );
  const sandbox = await startSandboxProcess(users);
  const dynamo = await startDynamoDbLocal(8100 + Math.floor(Math.random() * 800));
  try {
    const manifest = await control<{ asOf: string; planted: { check: string }[] }>(sandbox.url, 'manifest');
    const tables = tableNames(`bench${Date.now()}`);
    const client = localDynamoDbClient(dynamo.endpoint);
    await createTables(client, tables);
    const documents = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });

    // Warm the sandbox (its lazily built indexes) and DynamoDB Local so neither measurement pays for them.
    let started = performance.now();
    const wiring = () => benchWiring(sandbox.url, tables, dynamo.endpoint);
    await floor(wiring().deps.ports, 1);
    await warmDynamoDb(client, documents);
    await warmRuns(client, dynamo.endpoint);
    console.log(
      `bench: warm-up (DynamoDB Local, two runs over a book of ${WARM_USERS} users) took ${((performance.now() - started) / 1000).toFixed(1)} s`,
    );
    started = performance.now();
    const rows = await floor(wiring().deps.ports);
    const floorSeconds = (performance.now() - started) / 1000;
    console.log(`bench: floor read ${rows} rows in ${floorSeconds.toFixed(2)} s`);

    const deps = () => runDeps(wiring());
    await control(sandbox.url, 'reset-stats', {});
    started = performance.now();
    const summary = await reconcile(
      { runId: `bench-${Date.now()}`, trigger: { type: 'direct', by: 'bench' }, asOf: new Date(manifest.asOf) },
      deps(),
    );
    const runSeconds = (performance.now() - started) / 1000;
    const peakMb = process.resourceUsage().maxRSS / 1024;
    console.log(
      `bench: run ${summary.status}, ${summary.users} users in ${summary.shards} shards, ${summary.discrepancies.total} discrepancies (planted ${manifest.planted.filter((p) => !p.check.startsWith('venue-')).length} without venues), ${summary.history?.rows ?? 0} history rows read`,
    );
    const math = arithmetic(Math.min(summary.positions, 200_000));
    console.log(
      `bench: arithmetic ${Math.min(summary.positions, 200_000)} checks, exact ${math.exactSeconds.toFixed(3)} s, 80-digit oracle ${math.oracleSeconds.toFixed(3)} s, ${math.disagreements} disagreements`,
    );
    console.log(
      `bench: ${summary.positions} positions, run ${runSeconds.toFixed(2)} s, floor ${floorSeconds.toFixed(2)} s, ratio ${(runSeconds / floorSeconds).toFixed(2)}, peak RSS ${peakMb.toFixed(0)} MB, ${Math.round(summary.positions / runSeconds)} positions/s`,
    );

    if (values.incremental) {
      const firstCalls = await upstreamCalls(sandbox.url);
      const activity = await control<{ asOf: string; added: Record<string, number> }>(sandbox.url, 'activity', {
        fraction: 0.01,
        users: 0.01,
        advanceMs: 3_600_000,
      });
      await control(sandbox.url, 'reset-stats', {});
      started = performance.now();
      const second = await reconcile(
        { runId: `bench-${Date.now()}-2`, trigger: { type: 'direct', by: 'bench' }, asOf: new Date(activity.asOf) },
        deps(),
      );
      const secondSeconds = (performance.now() - started) / 1000;
      const first = summary.history?.rows ?? 0;
      const again = second.history?.rows ?? 0;
      console.log(
        `bench: incremental: 1 % of users active, 1 % new history rows (${Object.entries(activity.added)
          .map(([kind, n]) => `${n} ${kind}`)
          .join(
            ', ',
          )}); second run ${second.status} in ${secondSeconds.toFixed(2)} s read ${again} history rows of the first run's ${first} (${((100 * again) / Math.max(first, 1)).toFixed(2)} %), ${second.history?.incrementalUsers ?? 0} users from running totals, ${second.discrepancies.total} discrepancies`,
      );
      console.log(
        `bench: verified ${second.verification?.verifiedUsers ?? second.users} users in full, carried ${second.verification?.carriedUsers ?? 0} (oldest verification ${second.verification?.oldestVerifiedAt ?? '-'})`,
      );
      console.log(formatCalls(firstCalls, await upstreamCalls(sandbox.url)));
    }
    if (values.cold) {
      for (const result of await measureColdInit()) console.log(`bench: ${formatColdInit(result)}`);
    }
    client.destroy();
  } finally {
    await sandbox.stop();
    await dynamo.stop();
  }
}

main().catch((error: unknown) => {
  console.error(`bench failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
