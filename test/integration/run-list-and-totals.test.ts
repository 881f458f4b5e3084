import { PutCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { handlerWith as totalsHandlerWith } from '../../functions/discrepancy-totals';
import { handlerWith as listRunsHandlerWith } from '../../functions/list-runs';
import { breakTotalsSchema, runPageSchema } from '../../lib/api/schemas';
import { signDevToken } from '../../lib/auth/jwt';
import type { CheckId } from '../../lib/domain/check-id';
import type { Discrepancy } from '../../lib/domain/discrepancy';
import { type DiscrepancyState, observe } from '../../lib/domain/lifecycle';
import { createLogger } from '../../lib/log';
import type { RunSummary } from '../../lib/ports/run-summary';
import { discrepancyPut } from '../../lib/store/discrepancy-items';
import { DynamoDbBreakTotals } from '../../lib/store/dynamodb-break-totals';
import { DynamoDbRunList } from '../../lib/store/dynamodb-run-list';
import { DynamoDbRunRegistry } from '../../lib/store/dynamodb-run-registry';
import { LOCK_KEY, planKey, shardKey, sourceKey, venueCheckKey } from '../../lib/store/runs-table';
import { freshTables } from '../support/local-services';

const DEV_KEY = 'run-list-test-key-of-at-least-32-characters';
vi.stubEnv('AUTH_DEV_KEY', DEV_KEY);
vi.stubEnv('AUTH_ISSUER', '');
vi.stubEnv('AUTH_AUDIENCE', '');

const context = { awsRequestId: 'runs-test', getRemainingTimeInMillis: () => 30_000 } as unknown as Context;
const reader = `Bearer ${signDevToken({ sub: 'carol@example.com', roles: ['compliance-read'], ttlSeconds: 3600, key: DEV_KEY })}`;
const log = createLogger('error');

/** An HTTP API v2 GET as serverless-offline delivers it (no authorizer ran: the function verifies the header). */
function get(path: string, query: Record<string, string>, authorization?: string): APIGatewayProxyEventV2 {
  return {
    version: '2.0',
    routeKey: `GET ${path}`,
    rawPath: path,
    rawQueryString: new URLSearchParams(query).toString(),
    headers: { 'content-type': 'application/json', ...(authorization && { authorization }) },
    requestContext: {
      http: { method: 'GET', path, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'test' },
      requestId: 'r',
      routeKey: `GET ${path}`,
      stage: '$default',
    },
    ...(Object.keys(query).length > 0 && { queryStringParameters: query }),
    isBase64Encoded: false,
  } as unknown as APIGatewayProxyEventV2;
}

type Handler = (event: never, context: Context) => Promise<unknown>;
async function call(handler: Handler, event: APIGatewayProxyEventV2) {
  const response = (await handler(event as never, context)) as APIGatewayProxyStructuredResultV2;
  return { status: response.statusCode as number, body: JSON.parse(response.body as string) };
}

/** A finished run's summary started at `startedAt`. */
function finished(runId: string, startedAt: string): RunSummary {
  const checks = {} as RunSummary['checks'];
  return {
    runId,
    trigger: { type: 'schedule' },
    asOf: startedAt,
    startedAt,
    finishedAt: startedAt,
    status: 'complete',
    users: 3,
    positions: 9,
    checks,
    sources: {},
    discrepancies: { total: 0, opened: 0, items: [], truncated: false },
  };
}

describe('GET /runs over DynamoDB Local (the runs table’s by-time index)', () => {
  let handler: Handler;

  beforeAll(async () => {
    const { documents, tables } = await freshTables();
    const registry = new DynamoDbRunRegistry(documents, tables.runs);
    // Five runs, written out of order, in each state a record can be in; then the other kinds of items of the table.
    await registry.saveRun(finished('r-2', '2026-12-01T02:00:00.000Z'));
    await registry.saveRun(finished('r-1', '2026-12-01T01:00:00.000Z'));
    await registry.queueRun({ runId: 'r-5', trigger: { type: 'manual', by: 'alice' }, asOf: 'x', startedAt: '2026-12-01T05:00:00.000Z' });
    await registry.beginRun({ runId: 'r-4', trigger: { type: 'schedule' }, asOf: 'x', startedAt: '2026-12-01T04:00:00.000Z' });
    await registry.saveRun(finished('r-3', '2026-12-01T03:00:00.000Z'));
    await registry.acquireLock('r-4', 60_000, new Date('2026-12-01T04:00:00.000Z'));
    for (const Key of [planKey('r-4'), shardKey('r-4', 0), sourceKey('reporting'), venueCheckKey('indx', 0)])
      await documents.send(new PutCommand({ TableName: tables.runs, Item: { ...Key, startedAt: '2026-12-01T09:00:00.000Z' } }));
    const runs = new DynamoDbRunList(documents, tables.runs);
    handler = listRunsHandlerWith({ get: () => ({ runs, log }), log: () => log });
  });

  it('pages through every run newest first, queued and running included, and nothing else of the table', async () => {
    const seen: string[] = [];
    const statuses: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const { status, body } = await call(handler, get('/runs', { limit: '2', ...(cursor && { cursor }) }, reader));
      expect(status).toBe(200);
      const page = runPageSchema.parse(body);
      expect(page.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.items.map((run) => run.runId));
      statuses.push(...page.items.map((run) => run.status));
      cursor = page.cursor;
      pages++;
    } while (cursor && pages < 10);
    expect(seen).toEqual(['r-5', 'r-4', 'r-3', 'r-2', 'r-1']);
    expect(statuses).toEqual(['queued', 'running', 'complete', 'complete', 'complete']);
  });

  it('answers 25 at most by default, in one page when they fit', async () => {
    const { body } = await call(handler, get('/runs', {}, reader));
    expect(body.items).toHaveLength(5);
    expect(body.cursor).toBeUndefined();
  });

  it('refuses a cursor that is not one, a limit out of range, and a caller without a token', async () => {
    const bad = await call(handler, get('/runs', { cursor: 'bm90LWEtY3Vyc29y' }, reader));
    expect(bad.status).toBe(400);
    expect(bad.body.problems).toEqual(['query.cursor: not a cursor from a previous page']);
    expect((await call(handler, get('/runs', { limit: '101' }, reader))).status).toBe(400);
    expect((await call(handler, get('/runs', {}))).status).toBe(401);
  });
});

/** A stored discrepancy of `check:user:asset` with this severity, status and root-asset difference. */
function state(
  id: string,
  severity: Discrepancy['severity'],
  status: DiscrepancyState['status'],
  differenceInRoot?: string,
): DiscrepancyState {
  const [check, userId, asset] = id.split(':') as [CheckId, string, string];
  const found: Discrepancy = {
    id,
    check,
    userId,
    asset,
    field: 'amount',
    expected: '1',
    actual: '2',
    difference: '1',
    evidence: {},
    severity,
    ...(differenceInRoot && { differenceInRoot }),
    runId: 'r-seed',
    detectedAt: '2026-12-01T00:00:00.000Z',
  };
  const opened = observe(undefined, found);
  if (opened === 'duplicate') throw new Error('a new finding is never a duplicate');
  return { ...opened.next, status };
}

describe('GET /discrepancies/totals over DynamoDB Local (the status index)', () => {
  let handler: Handler;
  let reads: DynamoDbBreakTotals;

  beforeAll(async () => {
    const { documents, tables } = await freshTables();
    const stored = [
      // Above 2^53 and at 18 decimals: a JS number would round both.
      state('cross-source:u1:eth', 'critical', 'open', '9007199254740993.000000000000000001'),
      state('cross-source:u2:eth', 'critical', 'acknowledged', '-0.000000000000000001'),
      state('sanity:u3:shib', 'low', 'open', '0.000000000000000007'),
      state('presence:u4:*', 'medium', 'open'),
      state('sanity:u5:btc', 'high', 'resolved', '50000'),
      state('sanity:u6:btc', 'high', 'open', '12000.5'),
    ];
    for (const item of stored) await documents.send(new PutCommand(discrepancyPut(tables.discrepancies, item, undefined)));
    reads = new DynamoDbBreakTotals(documents, tables.discrepancies, 'usd');
    handler = totalsHandlerWith({ get: () => ({ breakTotals: reads, log }), log: () => log });
  });

  it('adds up open and acknowledged breaks per severity and per check, exactly, the unpriced counted apart', async () => {
    const { status, body } = await call(handler, get('/discrepancies/totals', {}, reader));
    expect(status).toBe(200);
    const totals = breakTotalsSchema.parse(body);
    expect(totals.rootAsset).toBe('usd');
    expect(totals.bySeverity.critical).toEqual({ count: 2, value: '9007199254740993.000000000000000002', unpriced: 0 });
    expect(totals.bySeverity.high).toEqual({ count: 1, value: '12000.5', unpriced: 0 });
    expect(totals.bySeverity.medium).toEqual({ count: 1, value: '0', unpriced: 1 });
    expect(totals.bySeverity.low).toEqual({ count: 1, value: '0.000000000000000007', unpriced: 0 });
    expect(totals.byCheck['cross-source']).toEqual({ count: 2, value: '9007199254740993.000000000000000002', unpriced: 0 });
    expect(totals.byCheck.sanity).toEqual({ count: 2, value: '12000.500000000000000007', unpriced: 0 });
    expect(totals.byCheck.presence).toEqual({ count: 1, value: '0', unpriced: 1 });
    expect(totals.byCheck['roll-forward']).toEqual({ count: 0, value: '0', unpriced: 0 });
  });

  it('counts what the filter selects: a status, a severity, a check, an asset, a user', async () => {
    const resolved = breakTotalsSchema.parse((await call(handler, get('/discrepancies/totals', { status: 'resolved' }, reader))).body);
    expect(resolved.bySeverity.high).toEqual({ count: 1, value: '50000', unpriced: 0 });
    expect(resolved.bySeverity.critical?.count).toBe(0);
    const critical = await reads.totals({ severity: 'critical' });
    expect(critical.bySeverity.critical?.count).toBe(2);
    expect(critical.bySeverity.high?.count).toBe(0);
    expect((await reads.totals({ check: 'sanity' })).byCheck.sanity?.count).toBe(2);
    expect((await reads.totals({ asset: 'eth' })).bySeverity.critical?.count).toBe(2);
    const u2 = breakTotalsSchema.parse((await call(handler, get('/discrepancies/totals', { user: 'u2' }, reader))).body);
    expect(u2.bySeverity.critical).toEqual({ count: 1, value: '0.000000000000000001', unpriced: 0 });
  });

  it('refuses an unknown filter and a caller without a token', async () => {
    expect((await call(handler, get('/discrepancies/totals', { limit: '5' }, reader))).status).toBe(400);
    expect((await call(handler, get('/discrepancies/totals', {}))).status).toBe(401);
  });
});
