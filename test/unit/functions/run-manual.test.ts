import { readFileSync } from 'node:fs';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { handlerWith } from '../../../functions/run-manual';
import { signDevToken } from '../../../lib/auth/jwt';
import { createLogger } from '../../../lib/log';

const DEV_KEY = 'dev-key-of-at-least-thirty-two-characters';
vi.stubEnv('AUTH_DEV_KEY', DEV_KEY);
vi.stubEnv('AUTH_ISSUER', '');
vi.stubEnv('AUTH_AUDIENCE', '');

/** The run queue and worker the handler hands runs to: fakes recording what they were given. */
const queueRun = vi.fn(async (_run: unknown) => undefined);
const invoke = vi.fn(async (_run: unknown) => undefined);
const log = createLogger('error');
/** The handler on a fake wiring: the queue and the worker above, a fixed clock. */
const handler = handlerWith({
  get: () => ({
    clock: { now: () => new Date('2026-11-22T00:00:00Z') },
    runQueue: { queue: { queueRun }, invoker: { invoke } },
  }),
  log: () => log,
});
/** What the handler asked the worker to run. */
const invoked = () => invoke.mock.calls.at(-1)?.[0] as { runId: string; trigger: unknown; scope?: unknown; dryRun?: boolean } | undefined;

const context = { awsRequestId: 'req-1' } as Context;
const sample: APIGatewayProxyEventV2 = JSON.parse(readFileSync('events/manual-run.json', 'utf8'));
const { authorizer: _authorizer, ...contextWithoutAuthorizer } = JSON.parse(readFileSync('events/manual-run.json', 'utf8')).requestContext;

const token = (roles: string[], sub = 'alice@example.com') => signDevToken({ sub, roles, ttlSeconds: 600, key: DEV_KEY });
const call = (event: APIGatewayProxyEventV2) => handler(event as never, context) as Promise<APIGatewayProxyStructuredResultV2>;
/** `POST /runs` as serverless-offline delivers it: no authorizer ran, the function verifies the header with the dev key. */
const post = (body: string | undefined, authorization?: string) =>
  call({
    ...sample,
    headers: { 'content-type': 'application/json', ...(authorization && { authorization }) },
    requestContext: contextWithoutAuthorizer,
    body,
  });
const json = (response: APIGatewayProxyStructuredResultV2) => JSON.parse(response.body as string);

describe('POST /runs handler', () => {
  beforeEach(() => {
    queueRun.mockClear();
    invoke.mockClear();
  });

  it('queues a run under the token’s sub, not the body’s requestedBy, and answers 202 with its id', async () => {
    const response = await post('{"requestedBy":"someone-else"}', `Bearer ${token(['compliance'])}`);
    expect(response.statusCode).toBe(202);
    const { runId, status } = json(response);
    expect(status).toBe('queued');
    expect(runId).toMatch(/^r-20261122T000000Z-[0-9a-f]{8}$/);
    expect(queueRun).toHaveBeenCalledWith(expect.objectContaining({ runId, trigger: { type: 'manual', by: 'alice@example.com' } }));
    expect(invoked()).toEqual({ runId, trigger: { type: 'manual', by: 'alice@example.com' } });
  });

  it('does not take the caller from API Gateway’s forwarded claims: the sample event without a token is 401', async () => {
    expect((await call(sample)).statusCode).toBe(401);
    expect(invoke).not.toHaveBeenCalled();
  });

  it('passes a scope and a dry run on to the worker, and treats an empty body as the whole book', async () => {
    const authorization = `Bearer ${token(['compliance'])}`;
    await post('{"users":["u1"],"checks":["roll-forward"],"dryRun":true}', authorization);
    expect(invoked()).toMatchObject({ scope: { users: ['u1'], checks: ['roll-forward'] }, dryRun: true });
    expect((await post(undefined, authorization)).statusCode).toBe(202);
    expect(invoked()).not.toHaveProperty('scope');
  });

  it('answers 401 asking for a bearer token when there is none, before looking at the body, without running', async () => {
    for (const body of ['{}', '{"requestedBy":']) {
      const response = await post(body);
      expect(response.statusCode).toBe(401);
      expect(response.headers?.['www-authenticate']).toBe('Bearer');
      expect(json(response)).toEqual({ message: 'unauthorized', problem: expect.stringMatching(/no bearer token/) });
    }
    expect(invoke).not.toHaveBeenCalled();
  });

  it('answers 401 for an expired or wrongly signed token, without quoting it', async () => {
    const expired = signDevToken({
      sub: 'alice',
      roles: ['compliance'],
      ttlSeconds: 1,
      key: DEV_KEY,
      now: () => new Date(Date.now() - 60_000),
    });
    const forged = signDevToken({
      sub: 'mallory',
      roles: ['compliance'],
      ttlSeconds: 600,
      key: 'another-key-of-at-least-thirty-two-chars',
    });
    for (const bad of [expired, forged]) {
      const response = await post('{}', `Bearer ${bad}`);
      expect(response.statusCode).toBe(401);
      expect(response.body).not.toContain(bad.split('.')[2]);
    }
    expect(invoke).not.toHaveBeenCalled();
  });

  it('answers 403 for a valid token without the act role (a viewer, the read role), without running', async () => {
    for (const roles of [['viewer'], ['compliance-read'], ['not compliance'], ['Finance compliance']]) {
      const response = await post('{}', `Bearer ${token(roles, 'bob@example.com')}`);
      expect(response.statusCode, roles[0]).toBe(403);
      expect(json(response)).toEqual({ message: 'forbidden', problem: 'the token does not grant the role "compliance"' });
    }
    expect(invoke).not.toHaveBeenCalled();
  });

  it('answers 400 naming each problem for malformed JSON, an unknown check, an oversized scope and unknown fields, without queueing', async () => {
    const authorization = `Bearer ${token(['compliance'])}`;
    const malformed = await post('{"requestedBy":', authorization);
    expect(malformed.statusCode).toBe(400);
    expect(json(malformed).problems).toEqual(['body: not valid JSON']);
    const wrong = await post(
      JSON.stringify({ checks: ['nope'], users: Array.from({ length: 1001 }, (_, i) => `u${i}`), colour: 'red' }),
      authorization,
    );
    expect(wrong.statusCode).toBe(400);
    const problems = json(wrong).problems.join('\n');
    expect(problems).toMatch(/body\.checks\[0\]: must be one of/);
    expect(problems).toMatch(/body\.users: at most 1000 users/);
    expect(problems).toMatch(/colour/);
    expect(invoke).not.toHaveBeenCalled();
  });

  it('answers a plain 500 that reveals nothing when the run cannot be handed over', async () => {
    invoke.mockRejectedValueOnce(new Error('ECONNREFUSED 10.0.0.1 token=abc'));
    const response = await post('{}', `Bearer ${token(['compliance'])}`);
    expect(response.statusCode).toBe(500);
    expect(response.body).not.toMatch(/ECONNREFUSED|token/);
  });
});
