import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signDevToken } from '../../lib/auth/jwt';
import type { Discrepancy } from '../../lib/domain/discrepancy';
import { observe } from '../../lib/domain/lifecycle';
import { DynamoDbDiscrepancyStore } from '../../lib/store/dynamodb-discrepancy-store';
import { alertsTopic, freshTables } from '../support/local-services';

const DEV_KEY = 'compliance-api-test-key-of-at-least-32-chars';
const context = { awsRequestId: 'api-test', getRemainingTimeInMillis: () => 30_000 } as unknown as Context;
type Handler = (event: never, context: Context) => Promise<unknown>;

/** An HTTP API v2 event as serverless-offline delivers it (no authorizer ran: the function verifies the header). */
function event(
  method: string,
  path: string,
  options: { token?: string; body?: string; pathParameters?: Record<string, string>; query?: Record<string, string> } = {},
) {
  return {
    version: '2.0',
    routeKey: `${method} ${path}`,
    rawPath: path,
    rawQueryString: '',
    headers: { 'content-type': 'application/json', ...(options.token && { authorization: `Bearer ${options.token}` }) },
    requestContext: {
      http: { method, path, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'test' },
      requestId: 'r',
      routeKey: `${method} ${path}`,
      stage: '$default',
    },
    ...(options.pathParameters && { pathParameters: options.pathParameters }),
    ...(options.query && { queryStringParameters: options.query }),
    ...(options.body !== undefined && { body: options.body }),
    isBase64Encoded: false,
  } as unknown as APIGatewayProxyEventV2;
}

const found = (id: string, severity: Discrepancy['severity'] = 'high'): Discrepancy => {
  const [check, userId, asset] = id.split(':') as ['sanity', string, string];
  return {
    id,
    check,
    userId,
    asset,
    field: 'available',
    expected: '0',
    actual: '-2',
    difference: '-2',
    evidence: { 'reporting.available': '-2' },
    severity,
    runId: 'r-seed',
    detectedAt: '2026-11-22T00:00:00.000Z',
  };
};

describe('the compliance HTTP API (handlers over DynamoDB Local, tokens verified with the dev key)', () => {
  let lambda: Server;
  let invocations: string[];
  let topic: Awaited<ReturnType<typeof alertsTopic>>;
  let handlers: Record<'runs' | 'getRun' | 'list' | 'get' | 'act', Handler>;
  const compliance = signDevToken({ sub: 'alice@example.com', roles: ['compliance'], ttlSeconds: 3600, key: DEV_KEY });
  const viewer = signDevToken({ sub: 'bob@example.com', roles: ['viewer'], ttlSeconds: 3600, key: DEV_KEY });
  const reader = signDevToken({ sub: 'carol@example.com', roles: ['compliance-read'], ttlSeconds: 3600, key: DEV_KEY });
  const checker = signDevToken({ sub: 'dave@example.com', roles: ['compliance'], ttlSeconds: 3600, key: DEV_KEY });
  const call = async (handler: Handler, request: APIGatewayProxyEventV2) => {
    const response = (await handler(request as never, context)) as APIGatewayProxyStructuredResultV2;
    return { status: response.statusCode as number, body: JSON.parse(response.body as string) };
  };

  beforeAll(async () => {
    invocations = [];
    lambda = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk) => {
        body += chunk;
      });
      request.on('end', () => {
        invocations.push(body);
        response.writeHead(202).end();
      });
    });
    await new Promise<void>((resolve) => lambda.listen(0, '127.0.0.1', resolve));
    topic = await alertsTopic();
    const { endpoint, tables, documents } = await freshTables();
    Object.assign(process.env, {
      BACKOFFICE_URL: 'http://127.0.0.1:9',
      BACKOFFICE_TOKEN: 'unused',
      REPORTING_TOKEN: 'unused',
      DISCREPANCIES_TABLE: tables.discrepancies,
      RUNS_TABLE: tables.runs,
      HISTORY_TABLE: tables.history,
      TOTALS_TABLE: tables.totals,
      ALERTS_TOPIC_ARN: topic.topicArn,
      DYNAMODB_ENDPOINT: endpoint,
      SNS_ENDPOINT: topic.endpoint,
      LAMBDA_ENDPOINT: `http://127.0.0.1:${(lambda.address() as AddressInfo).port}`,
      RUN_FUNCTION_NAME: 'balance-recon-test-runDirect',
      AUTH_DEV_KEY: DEV_KEY,
      AUTH_ISSUER: '',
      AUTH_AUDIENCE: '',
      LOG_LEVEL: 'error',
    });
    const store = new DynamoDbDiscrepancyStore(documents, tables);
    for (const [id, severity] of [
      ['sanity:u1:btc', 'high'],
      ['sanity:u2:eth', 'low'],
      ['sanity:u3:sol', 'critical'],
    ] as const) {
      const outcome = observe(undefined, found(id, severity));
      if (outcome === 'duplicate') throw new Error('unexpected duplicate');
      await store.save(outcome.next, { discrepancyId: id, type: 'opened', at: outcome.next.lastSeenAt, runId: 'r-seed' }, undefined);
    }
    handlers = {
      runs: (await import('../../functions/run-manual')).handler as unknown as Handler,
      getRun: (await import('../../functions/get-run')).handler as unknown as Handler,
      list: (await import('../../functions/list-discrepancies')).handler as unknown as Handler,
      get: (await import('../../functions/get-discrepancy')).handler as unknown as Handler,
      act: (await import('../../functions/act-on-discrepancy')).handler as unknown as Handler,
    };
  });
  afterAll(async () => {
    await new Promise((resolve) => lambda?.close(resolve));
    await topic?.stop();
  });

  it('answers 403 on every route to groups that only contain the word, and to a scope alone that says it', async () => {
    const hostile = [
      signDevToken({ sub: 'mallory@example.com', roles: ['not compliance'], ttlSeconds: 3600, key: DEV_KEY }),
      signDevToken({ sub: 'mallory@example.com', roles: ['Finance compliance'], ttlSeconds: 3600, key: DEV_KEY }),
      signDevToken({ sub: 'mallory@example.com', roles: [], rolesClaim: 'scope', ttlSeconds: 3600, key: DEV_KEY }),
      signDevToken({ sub: 'mallory@example.com', roles: ['compliance'], rolesClaim: 'scope', ttlSeconds: 3600, key: DEV_KEY }),
    ];
    const id = 'sanity:u2:eth';
    for (const token of hostile) {
      const answers = await Promise.all([
        call(handlers.list, event('GET', '/discrepancies', { token })),
        call(handlers.get, event('GET', '/x', { token, pathParameters: { id } })),
        call(handlers.getRun, event('GET', '/x', { token, pathParameters: { id: 'r-none' } })),
        call(handlers.act, event('POST', '/x', { token, pathParameters: { id, action: 'acknowledge' }, body: '{"note":"x"}' })),
        call(handlers.runs, event('POST', '/runs', { token, body: '{}' })),
      ]);
      expect(answers.map((answer) => answer.status)).toEqual([403, 403, 403, 403, 403]);
    }
  });

  it('lets the read role list and get (200), but neither act nor start a run (403)', async () => {
    const id = 'sanity:u2:eth';
    expect((await call(handlers.list, event('GET', '/discrepancies', { token: reader }))).status).toBe(200);
    expect((await call(handlers.get, event('GET', '/x', { token: reader, pathParameters: { id } }))).status).toBe(200);
    const acted = await call(
      handlers.act,
      event('POST', '/x', { token: reader, pathParameters: { id, action: 'acknowledge' }, body: '{"note":"x"}' }),
    );
    expect(acted).toMatchObject({ status: 403, body: { problem: 'the token does not grant the role "compliance"' } });
    const before = invocations.length;
    expect((await call(handlers.runs, event('POST', '/runs', { token: reader, body: '{}' }))).status).toBe(403);
    expect(invocations).toHaveLength(before);
    const shown = await call(handlers.get, event('GET', '/x', { token: reader, pathParameters: { id } }));
    expect(shown.body.discrepancy.status).toBe('open');
  });

  it('answers POST /runs 401 without a token, 403 without the compliance role, and 202 with it, handing the run to the worker', async () => {
    expect((await call(handlers.runs, event('POST', '/runs', { body: '{}' }))).status).toBe(401);
    expect((await call(handlers.runs, event('POST', '/runs', { body: '{}', token: viewer }))).status).toBe(403);
    const accepted = await call(handlers.runs, event('POST', '/runs', { body: '{"checks":["sanity"],"dryRun":true}', token: compliance }));
    expect(accepted.status).toBe(202);
    expect(JSON.parse(invocations.at(-1) as string)).toEqual({
      runId: accepted.body.runId,
      manualBy: 'alice@example.com',
      dryRun: true,
      scope: { checks: ['sanity'] },
    });
    const queued = await call(handlers.getRun, event('GET', '/runs/x', { token: compliance, pathParameters: { id: accepted.body.runId } }));
    expect(queued).toMatchObject({
      status: 200,
      body: { runId: accepted.body.runId, status: 'queued', trigger: { type: 'manual', by: 'alice@example.com' } },
    });
  });

  it('lists open discrepancies most severe first, and filters by severity', async () => {
    const open = await call(handlers.list, event('GET', '/discrepancies', { token: compliance, query: { status: 'open' } }));
    expect(open.body.items.map((item: { id: string }) => item.id)).toEqual(['sanity:u3:sol', 'sanity:u1:btc', 'sanity:u2:eth']);
    const low = await call(
      handlers.list,
      event('GET', '/discrepancies', { token: compliance, query: { status: 'open', severity: 'low' } }),
    );
    expect(low.body.items.map((item: { id: string }) => item.id)).toEqual(['sanity:u2:eth']);
  });

  it('acknowledges with a note under the caller’s identity, shows it in the history, and refuses a second acknowledgement', async () => {
    const id = 'sanity:u1:btc';
    const acked = await call(
      handlers.act,
      event('POST', '/x', { token: compliance, pathParameters: { id, action: 'acknowledge' }, body: '{"note":"asked ops"}' }),
    );
    expect(acked).toMatchObject({
      status: 200,
      body: { status: 'acknowledged', acknowledgedBy: 'alice@example.com', acknowledgedNote: 'asked ops' },
    });
    const shown = await call(handlers.get, event('GET', '/x', { token: compliance, pathParameters: { id } }));
    expect(shown.body.history.map((entry: { type: string; by?: string }) => [entry.type, entry.by])).toEqual([
      ['opened', 'system'],
      ['acknowledged', 'alice@example.com'],
    ]);
    const again = await call(
      handlers.act,
      event('POST', '/x', { token: compliance, pathParameters: { id, action: 'acknowledge' }, body: '{"note":"again"}' }),
    );
    expect(again.status).toBe(409);
    // High: one person's resolve is a proposal, the status stays.
    const proposed = await call(
      handlers.act,
      event('POST', '/x', { token: compliance, pathParameters: { id, action: 'resolve' }, body: '{"note":"fixed"}' }),
    );
    expect(proposed.body).toMatchObject({ status: 'acknowledged', pendingResolution: { by: 'alice@example.com', note: 'fixed' } });
  });

  it('takes two different people to resolve a critical discrepancy: the proposer is refused as their own checker (403), a second approves', async () => {
    const id = 'sanity:u3:sol';
    const act = (token: string, action: string, body: object) =>
      call(handlers.act, event('POST', '/x', { token, pathParameters: { id, action }, body: JSON.stringify(body) }));
    expect(await act(compliance, 'approve', { note: 'nothing yet' })).toMatchObject({ status: 409 });
    expect(await act(compliance, 'resolve', { note: 'ops fixed it' })).toMatchObject({ status: 200, body: { status: 'open' } });
    const own = await act(compliance, 'approve', { note: 'me again' });
    expect(own).toMatchObject({ status: 403, body: { problem: expect.stringMatching(/a second person must approve/) } });
    expect(await act(reader, 'approve', { note: 'viewer' })).toMatchObject({ status: 403 });
    expect(await act(checker, 'reject', { note: 'show me the ledger' })).toMatchObject({ status: 200, body: { status: 'open' } });
    expect(await act(compliance, 'resolve', { note: 'ledger attached' })).toMatchObject({ status: 200 });
    const approved = await act(checker, 'approve', { note: 'checked the ledger' });
    expect(approved).toMatchObject({ status: 200, body: { status: 'resolved', resolvedBy: 'dave@example.com' } });
    const shown = await call(handlers.get, event('GET', '/x', { token: reader, pathParameters: { id } }));
    expect(shown.body.history.map((entry: { type: string; by?: string }) => [entry.type, entry.by])).toEqual([
      ['opened', 'system'],
      ['resolution-proposed', 'alice@example.com'],
      ['resolution-rejected', 'dave@example.com'],
      ['resolution-proposed', 'alice@example.com'],
      ['resolved', 'dave@example.com'],
    ]);
    expect(shown.body.history.at(-1)).toMatchObject({ proposedBy: 'alice@example.com', note: 'checked the ledger' });
  });

  it('assigns to a person with a note, and answers 400 naming body.assignee without one', async () => {
    const id = 'sanity:u2:eth';
    const missing = await call(
      handlers.act,
      event('POST', '/x', { token: compliance, pathParameters: { id, action: 'assign' }, body: '{"note":"x"}' }),
    );
    expect(missing).toMatchObject({ status: 400, body: { problems: [expect.stringMatching(/^body\.assignee/)] } });
    const assigned = await call(
      handlers.act,
      event('POST', '/x', {
        token: compliance,
        pathParameters: { id, action: 'assign' },
        body: '{"note":"yours","assignee":"dave@example.com"}',
      }),
    );
    expect(assigned).toMatchObject({ status: 200, body: { assignedTo: 'dave@example.com', assignedBy: 'alice@example.com' } });
    const shown = await call(handlers.get, event('GET', '/x', { token: compliance, pathParameters: { id } }));
    expect(shown.body.history.at(-1)).toMatchObject({ type: 'assigned', assignee: 'dave@example.com', note: 'yours' });
  });

  it('answers 404 for an unknown id and 400 naming each problem for bad input', async () => {
    expect((await call(handlers.get, event('GET', '/x', { token: compliance, pathParameters: { id: 'sanity:nobody:btc' } }))).status).toBe(
      404,
    );
    expect((await call(handlers.getRun, event('GET', '/x', { token: compliance, pathParameters: { id: 'r-none' } }))).status).toBe(404);
    const bad = await call(handlers.list, event('GET', '/discrepancies', { token: compliance, query: { check: 'nope', limit: '1000' } }));
    expect(bad.status).toBe(400);
    expect(bad.body.problems.join('\n')).toMatch(/query\.check[\s\S]*query\.limit/);
    const noNote = await call(
      handlers.act,
      event('POST', '/x', { token: compliance, pathParameters: { id: 'sanity:u2:eth', action: 'resolve' }, body: '{}' }),
    );
    expect(noNote).toMatchObject({ status: 400, body: { problems: ['body.note: a note is required'] } });
  });

  it('never answers 500 to a caller’s mistake, whatever the body, query or path (property)', async () => {
    const text = fc.oneof(
      fc.string(),
      fc.json(),
      fc.constantFrom('{}', '[]', 'null', '{"note":""}', '{"users":[]}', '{"asOf":"yesterday"}'),
    );
    const query = fc.dictionary(fc.constantFrom('status', 'severity', 'check', 'asset', 'user', 'limit', 'cursor', 'other'), fc.string(), {
      maxKeys: 4,
    });
    await fc.assert(
      fc.asyncProperty(
        text,
        query,
        fc.string(),
        fc.constantFrom('acknowledge', 'assign', 'resolve', 'approve', 'reject', 'delete', ''),
        async (body, params, id, action) => {
          const responses = await Promise.all([
            call(handlers.runs, event('POST', '/runs', { token: compliance, body })),
            call(handlers.list, event('GET', '/discrepancies', { token: compliance, query: params })),
            call(handlers.get, event('GET', '/x', { token: compliance, pathParameters: { id } })),
            call(handlers.act, event('POST', '/x', { token: compliance, pathParameters: { id, action }, body })),
            call(handlers.getRun, event('GET', '/x', { token: compliance, pathParameters: { id } })),
          ]);
          for (const response of responses) {
            expect(response.status, JSON.stringify(response.body)).not.toBe(500);
            if (response.status >= 400) expect(response.body.message).toEqual(expect.any(String));
          }
        },
      ),
      { numRuns: 150 },
    );
  });
});
