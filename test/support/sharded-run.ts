import type { RunWork, ShardInvoker } from '../../lib/ports/run';
import type { ReportingPort } from '../../lib/ports/upstream';
import { reconcileShard } from '../../lib/runs/reconcile';
import { Secret } from '../../lib/secret';
import { backOfficeAdapter } from '../../lib/sources/backoffice/backoffice-adapter';
import { BackOfficeClient } from '../../lib/sources/backoffice/backoffice-client';
import { JsonClient } from '../../lib/sources/http/json-client';
import { reportingAdapter } from '../../lib/sources/reporting/reporting-adapter';
import { ReportingClient } from '../../lib/sources/reporting/reporting-client';
import { DynamoDbHistoryStore } from '../../lib/store/dynamodb-history-store';
import { DynamoDbRunState } from '../../lib/store/dynamodb-run-state';
import { SANDBOX_BACKOFFICE_TOKEN, SANDBOX_REPORTING_TOKEN } from '../../sandbox/credentials';
import type { RunningSandbox } from '../../sandbox/server';
import { RecordingAlerts } from '../fakes/in-memory-ports';
import { freshTables, runStore } from './local-services';
import type { FlatDeps } from './run-deps';
import { runDeps } from './run-deps';

/** A Lambda that is killed: the worker dies at a page boundary, before anything after that page. */
export class Killed extends Error {}

/** Work queued as Lambda async invokes would be; the test delivers it (and redelivers a killed one, as Lambda retries). */
export class QueuedInvoker implements ShardInvoker {
  readonly queue: RunWork[] = [];
  async invoke(work: RunWork): Promise<void> {
    this.queue.push(work);
  }
}

/** A clock a test moves: real time plus `skewMs`. */
export class SkewedClock {
  skewMs = 0;
  now(): Date {
    return new Date(Date.now() + this.skewMs);
  }
}

/**
 * The product's real adapters over HTTP to `sandbox`, real DynamoDB Local tables (fresh, or `shared`
 * with another run's), 40 users per shard two at a time, and a page-read counter.
 */
export async function shardedWiring(
  sandbox: RunningSandbox,
  checkpointEveryMs = 0,
  shared?: Pick<Awaited<ReturnType<typeof freshTables>>, 'tables' | 'documents'>,
) {
  const { tables, documents } = shared ?? (await freshTables());
  const http = (source: 'reporting' | 'backoffice') =>
    new JsonClient({ source, baseUrl: sandbox.url, concurrency: 8, timeoutMs: 10_000, retries: 0 });
  const reporting = reportingAdapter(new ReportingClient(http('reporting'), new Secret(SANDBOX_REPORTING_TOKEN), 100));
  /** Every listing request's page; and the shards' requests by the key each started from (`-`: the listing's start) and page. */
  const pagesRead: number[] = [];
  const keysRead: string[] = [];
  const counted: ReportingPort = {
    ...reporting,
    usersPage: (created, page, size) => {
      pagesRead.push(page);
      if (created.to && (created.from || page === 1)) keysRead.push(`${created.from ?? '-'}#${page}`);
      return reporting.usersPage(created, page, size);
    },
  };
  const { store, outbox } = runStore(documents, tables);
  const invoker = new QueuedInvoker();
  const runState = new DynamoDbRunState(documents, tables.runs);
  const alerts = new RecordingAlerts();
  const clock = new SkewedClock();
  const deps: FlatDeps & {
    runState: DynamoDbRunState;
    shards: { usersPerShard: number; concurrency: number; invoker: QueuedInvoker };
  } = {
    reporting: counted,
    backOffice: backOfficeAdapter(new BackOfficeClient(http('backoffice'), new Secret(SANDBOX_BACKOFFICE_TOKEN), 100), 100),
    store,
    outbox,
    alerts,
    clock,
    userBatchSize: 10,
    checkpointEveryMs,
    history: new DynamoDbHistoryStore(documents, tables.totals),
    runState,
    shards: { usersPerShard: 40, concurrency: 2, invoker },
  };
  return { deps, store, invoker, pagesRead, keysRead, runState, alerts, clock, documents, tables, shared: { tables, documents } };
}

export type ShardedWiring = Awaited<ReturnType<typeof shardedWiring>>;

/** Delivers queued work until none is left; `kill` may throw at a page boundary of a worker (which Lambda then retries). */
export async function drain(w: ShardedWiring, kill?: (shard: number, page: number) => boolean) {
  let summary: Awaited<ReturnType<typeof reconcileShard>>;
  for (let work = w.invoker.queue.shift(); work; work = w.invoker.queue.shift()) {
    const current = work;
    const shard = 'shard' in current ? current.shard : -1;
    try {
      summary =
        (await reconcileShard(current, runDeps(w.deps), {
          afterPage: (page) => {
            if (kill?.(shard, page)) throw new Killed(`shard ${shard} killed after page ${page}`);
          },
        })) ?? summary;
    } catch (error) {
      if (!(error instanceof Killed)) throw error;
      w.invoker.queue.push(current);
    }
  }
  return summary;
}
