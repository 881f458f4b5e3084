/**
 * `npm run bench [-- --positions N] [-- --seed S]`: measures, in one process and one run, against
 * the sandbox over HTTP:
 *   - the floor: fetching and parsing every page a full run needs, with the product's own clients;
 *   - the full run: every check except the rate-limited venues, recording in DynamoDB Local;
 *   - the exact-arithmetic hot path against an 80-digit decimal oracle on the same inputs.
 * and prints `bench: N positions, run X s, floor Y s, ratio R, peak RSS M MB, Z positions/s`.
 */
import { parseArgs } from 'node:util';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import Decimal from 'decimal.js';
import { amountSplitCheck } from '../lib/domain/checks/amount-split';
import { Amount } from '../lib/domain/money';
import { Precision } from '../lib/domain/precision';
import type { AlertPublisher, UserInfo } from '../lib/runs/ports';
import { reconcile } from '../lib/runs/reconcile';
import { Secret } from '../lib/secret';
import { BackOfficeClient } from '../lib/sources/backoffice/backoffice-client';
import { backOfficePort } from '../lib/sources/backoffice/backoffice-port';
import { JsonClient } from '../lib/sources/http/json-client';
import { ReportingClient } from '../lib/sources/reporting/reporting-client';
import { reportingPort } from '../lib/sources/reporting/reporting-port';
import { DynamoDbDiscrepancyStore } from '../lib/store/dynamodb-discrepancy-store';
import { SANDBOX_BACKOFFICE_TOKEN, SANDBOX_REPORTING_TOKEN } from '../sandbox/credentials';
import { startSandbox } from '../sandbox/server';
import { localDynamoDbClient, startDynamoDbLocal } from '../scripts/local/dynamodb-local';
import { createTables, tableNames } from '../scripts/local/tables';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const { values } = parseArgs({ options: { positions: { type: 'string', default: '1000000' }, seed: { type: 'string', default: '1' } } });
const positions = Number(values.positions);
const seed = Number(values.seed);
if (!Number.isSafeInteger(positions) || positions < 100)
  throw new Error(`--positions must be a whole number ≥ 100, got ${values.positions}`);

const PAGE_SIZE = 1000;
const BATCH = 200;
const CONCURRENCY = 16;

function ports(url: string) {
  const http = (source: 'reporting' | 'backoffice') =>
    new JsonClient({ source, baseUrl: url, concurrency: CONCURRENCY, timeoutMs: 60_000, retries: 0 });
  return {
    reporting: reportingPort(new ReportingClient(http('reporting'), new Secret(SANDBOX_REPORTING_TOKEN), PAGE_SIZE)),
    backOffice: backOfficePort(new BackOfficeClient(http('backoffice'), new Secret(SANDBOX_BACKOFFICE_TOKEN), PAGE_SIZE), PAGE_SIZE),
  };
}

/** The floor: every page the run reads, in the run's pattern (per user, per batch), parsed and dropped. */
async function floor(url: string): Promise<number> {
  const { reporting, backOffice } = ports(url);
  const assets = (await reporting.assets()).map((asset) => asset.assetId);
  let rows = 0;
  await reporting.trades(assets, (page) => {
    rows += page.length;
  });
  let pending: UserInfo[] = [];
  const batch = async (users: UserInfo[]) => {
    const ids = users.map((user) => user.userId);
    const answers = await Promise.all([
      ...users.map((user) => reporting.userBalances(user.userId)),
      ...users.map((user) => reporting.openOrders(user.userId)),
      reporting.transfers(ids),
      backOffice.balances(ids, assets),
    ]);
    rows += answers.reduce((total, answer) => total + answer.length, 0);
  };
  for await (const page of reporting.users()) {
    pending.push(...page);
    while (pending.length >= BATCH) {
      await batch(pending.slice(0, BATCH));
      pending = pending.slice(BATCH);
    }
  }
  if (pending.length > 0) await batch(pending);
  return rows;
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
        { userId: 'u', asset: 'eth', amount: Amount.parse(amount), locked: Amount.parse(locked), available: Amount.parse(available) },
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
  console.log(`bench: generating a book of ~${positions} positions (${users} users, seed ${seed})…`);
  const sandbox = await startSandbox({ port: 0, users, seed });
  const bookPositions = sandbox.book.positions.length;
  const dynamo = await startDynamoDbLocal(8100 + Math.floor(Math.random() * 800));
  try {
    const tables = tableNames(`bench${Date.now()}`);
    const client = localDynamoDbClient(dynamo.endpoint);
    await createTables(client, tables);

    let started = performance.now();
    const rows = await floor(sandbox.url);
    const floorSeconds = (performance.now() - started) / 1000;
    console.log(`bench: floor read ${rows} rows in ${floorSeconds.toFixed(2)} s`);

    const silent: AlertPublisher = {
      discrepancyOpened: async () => undefined,
      discrepancyEscalated: async () => undefined,
      discrepancyResolved: async () => undefined,
      discrepancyStorm: async () => undefined,
      sourceUnhealthy: async () => undefined,
      sourceRecovered: async () => undefined,
    };
    started = performance.now();
    const summary = await reconcile(
      { runId: `bench-${Date.now()}`, trigger: { type: 'direct', by: 'bench' }, asOf: new Date(sandbox.book.asOf) },
      {
        ...ports(sandbox.url),
        store: new DynamoDbDiscrepancyStore(
          DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } }),
          tables,
        ),
        alerts: silent,
        clock: { now: () => new Date() },
        userBatchSize: BATCH,
      },
    );
    const runSeconds = (performance.now() - started) / 1000;
    const peakMb = process.resourceUsage().maxRSS / 1024;
    console.log(
      `bench: run ${summary.status}, ${summary.users} users, ${summary.discrepancies.total} discrepancies (planted ${sandbox.book.manifest.planted.length - sandbox.book.manifest.planted.filter((p) => p.check.startsWith('venue-')).length} without venues)`,
    );
    const math = arithmetic(Math.min(bookPositions, 200_000));
    console.log(
      `bench: arithmetic ${Math.min(bookPositions, 200_000)} checks, exact ${math.exactSeconds.toFixed(3)} s, 80-digit oracle ${math.oracleSeconds.toFixed(3)} s, ${math.disagreements} disagreements`,
    );
    console.log(
      `bench: ${summary.positions} positions, run ${runSeconds.toFixed(2)} s, floor ${floorSeconds.toFixed(2)} s, ratio ${(runSeconds / floorSeconds).toFixed(2)}, peak RSS ${peakMb.toFixed(0)} MB, ${Math.round(summary.positions / runSeconds)} positions/s`,
    );
    client.destroy();
  } finally {
    await sandbox.close();
    await dynamo.stop();
  }
}

main().catch((error: unknown) => {
  console.error(`bench failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
