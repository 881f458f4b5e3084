import { DeleteCommand, type DynamoDBDocumentClient, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { handlerWith } from '../../functions/verify-history';
import type { HistoryVerificationPage } from '../../lib/api/schemas';
import { signDevToken } from '../../lib/auth/jwt';
import { actOnDiscrepancy } from '../../lib/compliance/compliance-actions';
import { createLogger } from '../../lib/log';
import { RunEffects } from '../../lib/runs/run-effects';
import { DynamoDbHistoryAudit } from '../../lib/store/dynamodb-history-audit';
import type { ReconApi } from '../../scripts/cli/api-client';
import { verifyHistoryCommand } from '../../scripts/cli/commands/verify-history';
import { effectsOptions } from '../support/effects-options';
import { freshTables, runStore } from '../support/local-services';
import { negativeAvailable } from '../support/negative-available';
import { Sink } from '../unit/cli/sink';

const DEV_KEY = 'history-chain-test-key-of-at-least-32-chars';
vi.stubEnv('AUTH_DEV_KEY', DEV_KEY);
vi.stubEnv('AUTH_ISSUER', '');
vi.stubEnv('AUTH_AUDIENCE', '');
const context = { awsRequestId: 'history-test', getRemainingTimeInMillis: () => 30_000 } as unknown as Context;
const reader = signDevToken({ sub: 'carol@example.com', roles: ['compliance-read'], ttlSeconds: 3600, key: DEV_KEY });
const ID = 'sanity:u1:btc';

/** Tables with `sanity:u1:btc` (high) opened by run r1, changed by r2, acknowledged, proposed and approved: five entries. */
async function worked() {
  const { tables, documents } = await freshTables();
  const { store } = runStore(documents, tables);
  for (const [runId, difference] of [
    ['r1', '-2'],
    ['r2', '-3'],
  ] as const) {
    const at = runId === 'r1' ? '2026-11-22T00:00:00.000Z' : '2026-11-23T00:00:00.000Z';
    const run = await RunEffects.start(store, runId, effectsOptions(at, { now: () => new Date(at) }));
    await run.findings([negativeAvailable({ runId, detectedAt: at, difference, actual: difference })]);
  }
  await actOnDiscrepancy(store, 'acknowledge', ID, 'alice', 'asked ops', new Date('2026-11-23T01:00:00.000Z'));
  await actOnDiscrepancy(store, 'resolve', ID, 'alice', 'ops fixed it', new Date('2026-11-23T02:00:00.000Z'));
  await actOnDiscrepancy(store, 'approve', ID, 'bob', 'checked', new Date('2026-11-23T03:00:00.000Z'));
  const handler = handlerWith({
    get: () => ({
      audit: new DynamoDbHistoryAudit(documents, tables),
      clock: { now: () => new Date() },
      log: createLogger('error'),
      historyRetentionDays: 2557,
    }),
    log: () => createLogger('error'),
  });
  return { documents, tables, handler };
}

/** `GET /history/verify` through the handler, as a ReconApi for the CLI command. */
function apiOver(handler: ReturnType<typeof handlerWith>): Pick<ReconApi, 'verifyHistory'> {
  return {
    async verifyHistory(page) {
      const query = Object.fromEntries(Object.entries(page).flatMap(([key, value]) => (value === undefined ? [] : [[key, String(value)]])));
      const event = {
        version: '2.0',
        routeKey: 'GET /history/verify',
        rawPath: '/history/verify',
        rawQueryString: '',
        headers: { authorization: `Bearer ${reader}` },
        queryStringParameters: query,
        requestContext: { http: { method: 'GET', path: '/history/verify' }, requestId: 'r', stage: '$default' },
        isBase64Encoded: false,
      } as unknown as APIGatewayProxyEventV2;
      const response = (await handler(event as never, context)) as APIGatewayProxyStructuredResultV2;
      expect(response.statusCode).toBe(200);
      return JSON.parse(String(response.body)) as HistoryVerificationPage;
    },
  };
}

/** The CLI's verdict over the route: exit code, what it printed. */
async function verifyWithCli(handler: ReturnType<typeof handlerWith>) {
  const out = new Sink();
  const err = new Sink();
  const code = await verifyHistoryCommand({ api: apiOver(handler) as ReconApi, out, err, json: false });
  return { code, out: out.text };
}

/** The history rows of `ID`, oldest first, with their keys. */
async function rows(documents: DynamoDBDocumentClient, table: string) {
  const { Items = [] } = await documents.send(
    new QueryCommand({ TableName: table, KeyConditionExpression: 'discrepancyId = :id', ExpressionAttributeValues: { ':id': ID } }),
  );
  return Items.map((item) => ({ key: { discrepancyId: ID, eventKey: String(item.eventKey) }, seq: Number(item.seq) }));
}

describe('verify-history over DynamoDB Local (the route, and the CLI over it)', () => {
  let world: Awaited<ReturnType<typeof worked>>;
  beforeEach(async () => {
    world = await worked();
  });

  it('passes on an untouched table: every chain verifies, exit 0', async () => {
    const page = await apiOver(world.handler).verifyHistory({ limit: 50 });
    expect(page).toEqual({ checked: 1, broken: [] });
    expect((await rows(world.documents, world.tables.history)).map((row) => row.seq)).toEqual([2, 3, 4, 5]);
    expect(await verifyWithCli(world.handler)).toMatchObject({ code: 0, out: 'all 1 histories verify\n' });
  });

  it('names the entry whose note was edited with a raw UpdateCommand', async () => {
    const [, third] = await rows(world.documents, world.tables.history);
    await world.documents.send(
      new UpdateCommand({
        TableName: world.tables.history,
        Key: third?.key,
        UpdateExpression: 'SET note = :note',
        ExpressionAttributeValues: { ':note': 'nothing to see' },
      }),
    );
    const page = await apiOver(world.handler).verifyHistory({});
    expect(page.broken).toEqual([
      expect.objectContaining({ discrepancyId: ID, seq: 3, type: 'acknowledged', problem: expect.stringMatching(/edited/) }),
    ]);
    const cli = await verifyWithCli(world.handler);
    expect(cli.code).toBe(1);
    expect(cli.out).toMatch(/sanity:u1:btc: entry 3 acknowledged .*: edited/);
  });

  it('names the entry after a row deleted with a raw DeleteCommand', async () => {
    const [, third] = await rows(world.documents, world.tables.history);
    await world.documents.send(new DeleteCommand({ TableName: world.tables.history, Key: third?.key }));
    const page = await apiOver(world.handler).verifyHistory({});
    expect(page.broken).toEqual([expect.objectContaining({ seq: 4, problem: 'entries 3 before it are missing (deleted)' })]);
  });

  it('names the head when the last row is deleted', async () => {
    const last = (await rows(world.documents, world.tables.history)).at(-1);
    await world.documents.send(new DeleteCommand({ TableName: world.tables.history, Key: last?.key }));
    const page = await apiOver(world.handler).verifyHistory({});
    expect(page.broken).toEqual([
      expect.objectContaining({ seq: 5, problem: expect.stringMatching(/latest entries \(5–5\) are missing/) }),
    ]);
    expect((await verifyWithCli(world.handler)).code).toBe(1);
  });
});
