import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReportingPort } from '../../lib/runs/ports';
import { type ReconcileDeps, reconcile, reconcileShard, type ShardInvoker } from '../../lib/runs/reconcile';
import { Secret } from '../../lib/secret';
import { BackOfficeClient } from '../../lib/sources/backoffice/backoffice-client';
import { backOfficePort } from '../../lib/sources/backoffice/backoffice-port';
import { JsonClient } from '../../lib/sources/http/json-client';
import { ReportingClient } from '../../lib/sources/reporting/reporting-client';
import { reportingPort } from '../../lib/sources/reporting/reporting-port';
import { DynamoDbDiscrepancyStore } from '../../lib/store/dynamodb-discrepancy-store';
import { DynamoDbHistoryStore } from '../../lib/store/dynamodb-history-store';
import { DynamoDbRunState } from '../../lib/store/dynamodb-run-state';
import { SANDBOX_BACKOFFICE_TOKEN, SANDBOX_REPORTING_TOKEN } from '../../sandbox/credentials';
import { type RunningSandbox, startSandbox } from '../../sandbox/server';
import { RecordingAlerts } from '../fakes/in-memory-ports';
import { freshTables } from '../support/local-services';

/** A Lambda that is killed: the worker dies at a page boundary, before anything after that page. */
class Killed extends Error {}

/** Shards queued as Lambda async invokes would be; the test delivers them (and redelivers a killed one, as Lambda retries). */
class QueuedInvoker implements ShardInvoker {
  readonly queue: { runId: string; shard: number }[] = [];
  async invoke(work: { runId: string; shard: number }): Promise<void> {
    this.queue.push(work);
  }
}

let sandbox: RunningSandbox;

beforeAll(async () => {
  sandbox = await startSandbox({ port: 0, users: 120, seed: 11 });
});
afterAll(async () => {
  await sandbox.close();
});

/** The product's real adapters over HTTP to the sandbox, real DynamoDB Local tables, and a page-read counter. */
async function wiring(checkpointEveryMs = 0) {
  const { tables, documents } = await freshTables();
  const http = (source: 'reporting' | 'backoffice') =>
    new JsonClient({ source, baseUrl: sandbox.url, concurrency: 8, timeoutMs: 10_000, retries: 0 });
  const reporting = reportingPort(new ReportingClient(http('reporting'), new Secret(SANDBOX_REPORTING_TOKEN), 100));
  /** The listing requests the shards made, by the key each started from (`-`: the listing's start) and page. */
  const keysRead: string[] = [];
  const counted: ReportingPort = {
    ...reporting,
    usersPage: (created, page, size) => {
      if (created.to && (created.from || page === 1)) keysRead.push(`${created.from ?? '-'}#${page}`);
      return reporting.usersPage(created, page, size);
    },
  };
  const store = new DynamoDbDiscrepancyStore(documents, tables);
  const invoker = new QueuedInvoker();
  const runState = new DynamoDbRunState(documents, tables.runs);
  const deps: ReconcileDeps & {
    runState: DynamoDbRunState;
    shards: { usersPerShard: number; concurrency: number; invoker: QueuedInvoker };
  } = {
    reporting: counted,
    backOffice: backOfficePort(new BackOfficeClient(http('backoffice'), new Secret(SANDBOX_BACKOFFICE_TOKEN), 100), 100),
    store,
    alerts: new RecordingAlerts(),
    clock: { now: () => new Date() },
    userBatchSize: 10,
    checkpointEveryMs,
    history: new DynamoDbHistoryStore(documents, tables.totals),
    runState,
    shards: { usersPerShard: 40, concurrency: 2, invoker },
  };
  return { deps, store, invoker, keysRead, runState, documents, tables };
}

/** Delivers queued shards until none is left; `kill` may throw at a page boundary of a worker. */
async function drain(w: Awaited<ReturnType<typeof wiring>>, kill?: (shard: number, page: number) => boolean) {
  let summary: Awaited<ReturnType<typeof reconcileShard>>;
  for (let work = w.invoker.queue.shift(); work; work = w.invoker.queue.shift()) {
    const current = work;
    try {
      summary =
        (await reconcileShard(current, w.deps, {
          afterPage: (page) => {
            if (kill?.(current.shard, page)) throw new Killed(`shard ${current.shard} killed after page ${page}`);
          },
        })) ?? summary;
    } catch (error) {
      if (!(error instanceof Killed)) throw error;
      w.invoker.queue.push(current); // Lambda retries an async invoke that failed
    }
  }
  return summary;
}

const asOf = () => new Date(sandbox.book.asOf);

/**
 * The same run twice, in fresh tables: uninterrupted, and with the worker of `killAt.shard` killed
 * once after `killAt.page` (checkpointing at most every `checkpointEveryMs`).
 */
async function wholeAndCut(runId: string, killAt: { shard: number; page: number }, checkpointEveryMs = 0) {
  const whole = await wiring();
  await reconcile({ runId: `${runId}-whole`, trigger: { type: 'direct' }, asOf: asOf() }, whole.deps);
  const uninterrupted = await drain(whole);
  const cut = await wiring(checkpointEveryMs);
  await reconcile({ runId: `${runId}-cut`, trigger: { type: 'direct' }, asOf: asOf() }, cut.deps);
  let killed = false;
  const interrupted = await drain(cut, (shard, page) => {
    if (shard !== killAt.shard || page !== killAt.page || killed) return false;
    killed = true;
    return true;
  });
  return { whole, uninterrupted, cut, interrupted, killed };
}

describe('a sharded run (real sandbox over HTTP, DynamoDB Local)', () => {
  it('plans shards, fans them out with bounded concurrency, and the last shard completes the run', async () => {
    const w = await wiring();
    const started = await reconcile({ runId: 'fan-1', trigger: { type: 'direct' }, asOf: asOf() }, w.deps);
    expect(started).toMatchObject({ status: 'running', shards: 3 });
    expect(w.invoker.queue.map((work) => work.shard)).toEqual([0, 1]); // concurrency 2: the third waits for a free slot
    const summary = await drain(w);
    expect(summary).toMatchObject({ runId: 'fan-1', status: 'complete', users: 120, shards: 3 });
    expect(await w.store.getRun('fan-1')).toMatchObject({ status: 'complete', users: 120 });
  });

  it('resumes a worker killed mid-shard from its last page and ends with the same discrepancies as an uninterrupted run', async () => {
    // Shard 1 starts at page 5; its worker dies after checkpointing its second page (page 6).
    const { whole, uninterrupted, cut, interrupted, killed } = await wholeAndCut('resume', { shard: 1, page: 6 });
    expect(killed).toBe(true);
    // Resumed from its checkpoint (the key it reached): its first two requests were not made again; the
    // two after them (two pages are read while one is checked) were being read ahead when the worker died.
    const plan = await cut.runState.loadPlan('resume-cut');
    const first = cut.keysRead.indexOf(`${plan?.shards[1]?.from}#1`);
    const times = (key: string | undefined) => cut.keysRead.filter((one) => one === key).length;
    expect(first).toBeGreaterThan(0);
    expect([0, 1, 2, 3].map((i) => times(cut.keysRead[first + i]))).toEqual([1, 1, 2, 2]);
    expect(cut.keysRead).toHaveLength(whole.keysRead.length + 2);

    const found = async (w: typeof whole) => {
      const { Items = [] } = await w.documents.send(new ScanCommand({ TableName: w.tables.discrepancies }));
      return Items.map((item) => `${item.check}:${item.userId}:${item.asset}=${item.difference}`).sort();
    };
    expect(interrupted?.status).toBe(uninterrupted?.status);
    expect(interrupted?.discrepancies.total).toBe(uninterrupted?.discrepancies.total);
    expect(interrupted?.checks).toEqual(uninterrupted?.checks);
    expect(await found(cut)).toEqual(await found(whole));
    // …and they are exactly what the sandbox planted (no venue is mapped in this run).
    const planted = sandbox.book.manifest.planted.filter((plant) => !plant.check.startsWith('venue-'));
    expect(await found(cut)).toEqual(planted.map((plant) => `${plant.check}:${plant.userId}:${plant.asset}=${plant.difference}`).sort());
  });

  it('redoes the pages after an older checkpoint without changing the outcome (checkpoints every few seconds)', async () => {
    // No checkpoint within the shard: the killed worker's pages (its running totals already written) are all redone.
    const { uninterrupted, cut, interrupted, killed } = await wholeAndCut('redo', { shard: 0, page: 3 }, 60_000);
    expect(killed).toBe(true);
    // The shard's second request (from the last key of its first page) was made again.
    const second = cut.keysRead.find((key) => key !== '-#1') as string;
    expect(cut.keysRead.filter((key) => key === second)).toHaveLength(2);
    expect(interrupted?.checks).toEqual(uninterrupted?.checks);
    expect(interrupted?.discrepancies.total).toBe(uninterrupted?.discrepancies.total);
    expect(interrupted?.history?.rows).toBeLessThanOrEqual((uninterrupted?.history?.rows ?? 0) * 2);
  });
});
