import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { Context } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { RunSummary } from '../../lib/ports/run-summary';
import { type RunningSandbox, startSandbox } from '../../sandbox/server';
import { localEnvironment } from '../support/local-environment';
import { alertsTopic, freshTables } from '../support/local-services';

const SHARD_FUNCTION = 'balance-recon-test-runShard';
const MULTIMARKETS_PATH = '/api/cats-gateway/get-user-amount';
const INDX_PATH = '/api/v2/trade/Balance';
/**
 * Simulated time an upstream request costs — the clock of the short deadline moves only with work
 * done: a venue call its pace (MultiMarkets 100 a minute, INDX one a second per WMID), any other 100 ms.
 */
const REQUEST_MS: Record<string, number> = { [MULTIMARKETS_PATH]: 600, [INDX_PATH]: 1_000 };
const OTHER_REQUEST_MS = 100;
/** The handover margin the functions are configured with (`HANDOVER_MARGIN_SECONDS`, its minimum). */
const MARGIN_MS = 10_000;

/** One simulated Lambda invocation: what it was given, the simulated time its requests took, and how many it sent once its time was up. */
interface Invocation {
  work: Record<string, unknown>;
  spentMs: number;
  pastDeadline: number;
}

/**
 * Runs the real handlers with a simulated Lambda: `runDirect` first, then every `runShard` invoke it
 * or its successors queued (taken from a stand-in Lambda endpoint), each invocation with a deadline
 * `timeoutMs` of simulated time away; every request the sandbox receives costs its `REQUEST_MS`.
 */
class SimulatedLambda {
  readonly queued: Record<string, unknown>[] = [];
  readonly invocations: Invocation[] = [];
  readonly venueReads = { multimarkets: 0, indx: 0 };
  private current: Invocation | undefined;
  private server: Server | undefined;

  constructor(
    private readonly sandbox: RunningSandbox,
    private readonly timeoutMs: number,
  ) {
    sandbox.server.on('request', this.count);
  }

  private readonly count = (request: IncomingMessage) => {
    if (request.url === MULTIMARKETS_PATH) this.venueReads.multimarkets++;
    if (request.url === INDX_PATH) this.venueReads.indx++;
    const current = this.current;
    if (!current) return;
    if (this.remaining(current) <= 0) current.pastDeadline++;
    current.spentMs += REQUEST_MS[request.url ?? ''] ?? OTHER_REQUEST_MS;
  };

  /** The Lambda invoke API's endpoint (`LAMBDA_ENDPOINT`): queues each asynchronous invoke of the shard worker. */
  async endpoint(): Promise<string> {
    this.server = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk) => {
        body += chunk;
      });
      request.on('end', () => {
        if (request.url?.includes(SHARD_FUNCTION)) this.queued.push(JSON.parse(body));
        response.writeHead(202).end();
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async invoke(handler: (event: never, context: Context) => Promise<unknown>, work: Record<string, unknown>): Promise<unknown> {
    const invocation: Invocation = { work, spentMs: 0, pastDeadline: 0 };
    this.invocations.push(invocation);
    this.current = invocation;
    const context = {
      awsRequestId: `invocation-${this.invocations.length}`,
      functionName: 'simulated',
      getRemainingTimeInMillis: () => this.remaining(invocation),
    } as unknown as Context;
    try {
      return await handler(work as never, context);
    } finally {
      this.current = undefined;
    }
  }

  close(): void {
    this.sandbox.server.off('request', this.count);
    this.server?.close();
  }

  private remaining(invocation: Invocation): number {
    return this.timeoutMs - invocation.spentMs;
  }
}

let sandbox: RunningSandbox;

beforeAll(async () => {
  sandbox = await startSandbox({ port: 0, users: 40, seed: 7 });
});
afterAll(async () => {
  await sandbox?.close();
});

/**
 * One whole run (the sandbox's book, with its venues) through `runDirect` and the shard workers it
 * hands to, in fresh tables and a fresh SNS topic, each invocation given `timeoutMs` of simulated time.
 */
async function runWithDeadline(runId: string, timeoutMs: number) {
  const lambda = new SimulatedLambda(sandbox, timeoutMs);
  const tables = await freshTables();
  const topic = await alertsTopic();
  Object.assign(process.env, localEnvironment(sandbox, tables, topic, { venues: true }), {
    PAGE_SIZE: '25',
    USER_BATCH_SIZE: '4',
    SHARD_USERS: '1000',
    SHARD_FUNCTION_NAME: SHARD_FUNCTION,
    LAMBDA_ENDPOINT: await lambda.endpoint(),
    HANDOVER_MARGIN_SECONDS: String(MARGIN_MS / 1000),
  });
  // A fresh container (wiring) for this run's tables and topic.
  vi.resetModules();
  const direct = (await import('../../functions/run-direct')).handler;
  const shard = (await import('../../functions/run-shard')).handler;
  const results = [await lambda.invoke(direct, { runId, asOf: sandbox.book.asOf })];
  for (let work = lambda.queued.shift(); work; work = lambda.queued.shift()) results.push(await lambda.invoke(shard, work));
  lambda.close();
  await topic.stop();
  const { Items = [] } = await tables.documents.send(new ScanCommand({ TableName: tables.tables.discrepancies }));
  const stored = Items.map((item) => `${item.check}:${item.userId}:${item.asset}=${item.difference}`).sort();
  const alerts = topic.delivered().map((alert) => `${alert.attributes.eventType} ${alert.attributes.discrepancyId ?? alert.subject}`);
  return { lambda, results, summary: results.at(-1) as RunSummary, stored, alerts };
}

/** A summary's figures that do not depend on when it ran (the venue coverage without its timestamps). */
function figures(summary: RunSummary) {
  const { runId, startedAt, finishedAt, asOf, venues, discrepancies, ...rest } = summary;
  const coverage = Object.fromEntries(Object.entries(venues ?? {}).map(([venue, { oldestCheckedAt, ...counts }]) => [venue, counts]));
  return { ...rest, coverage, discrepancies: { ...discrepancies, items: [...discrepancies.items].sort((a, b) => (a.id < b.id ? -1 : 1)) } };
}

describe('a run that cannot finish before its deadline (handlers with a simulated Lambda, sandbox over HTTP, DynamoDB Local, SNS emulator)', () => {
  it('hands over from runDirect and from the final phase before the deadline, and ends as a run with time enough', async () => {
    const unhurried = await runWithDeadline('unhurried', 900_000);
    expect(unhurried.lambda.invocations).toHaveLength(1);
    expect(unhurried.summary).toMatchObject({ status: 'complete', users: 40 });
    expect(unhurried.lambda.venueReads.multimarkets).toBeGreaterThan(5);
    expect(unhurried.lambda.venueReads.indx).toBeGreaterThan(2);

    // 9 s, less than the 10 s margin: each invocation does the least it can — one page, or one account of
    // each venue — and hands over; the venue phase alone takes longer than that (9 MultiMarkets calls and 4 INDX).
    const hurried = await runWithDeadline('hurried', 9_000);
    const invocations = hurried.lambda.invocations;
    // No invocation sent a request after its deadline.
    expect(invocations.map((invocation) => invocation.pastDeadline)).toEqual(invocations.map(() => 0));
    // runDirect handed its shard over, and the final phase handed its venue reads over at least once.
    expect(invocations[0]?.work).toMatchObject({ runId: 'hurried' });
    expect(invocations[1]?.work).toEqual({ runId: 'hurried', shard: 0 });
    // (the venue phase takes several of these invocations: it resumed where it stopped, more than once)
    expect(invocations.filter((invocation) => invocation.work.final === true).length).toBeGreaterThanOrEqual(2);
    expect(hurried.results[0]).toMatchObject({ runId: 'hurried', status: 'running' });

    // The last invocation completed the run, with the same outcome as the run that had time enough.
    expect(hurried.summary).toMatchObject({ runId: 'hurried', status: 'complete' });
    expect(figures(hurried.summary)).toEqual(figures(unhurried.summary));
    expect(hurried.stored).toEqual(unhurried.stored);
    // Every venue account was read once, as in the unhurried run.
    expect(hurried.lambda.venueReads).toEqual(unhurried.lambda.venueReads);
    // Each alert went out once, the same as the unhurried run's.
    expect(new Set(hurried.alerts).size).toBe(hurried.alerts.length);
    expect([...hurried.alerts].sort()).toEqual([...unhurried.alerts].sort());
    expect(hurried.alerts.length).toBeGreaterThan(0);
  });
});
