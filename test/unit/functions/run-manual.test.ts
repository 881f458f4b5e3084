import { readFileSync } from 'node:fs';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { signDevToken } from '../../../lib/auth/jwt';

const DEV_KEY = 'dev-key-of-at-least-thirty-two-characters';
vi.stubEnv('AUTH_DEV_KEY', DEV_KEY);
vi.stubEnv('AUTH_ISSUER', '');
vi.stubEnv('AUTH_AUDIENCE', '');
vi.stubEnv('IS_OFFLINE', '');

const runFromTrigger = vi.fn();
vi.mock('../../../lib/handlers/run-from-trigger', () => ({ runFromTrigger }));
const { handler } = await import('../../../functions/run-manual');

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
  beforeEach(() => runFromTrigger.mockReset());

  it('starts a manual run recorded under the token’s sub, not the body’s requestedBy, and answers with its summary', async () => {
    runFromTrigger.mockResolvedValueOnce({ runId: 'r-1', status: 'complete' });
    const response = await post('{"requestedBy":"someone-else"}', `Bearer ${token(['compliance'])}`);
    expect(runFromTrigger).toHaveBeenCalledWith({ type: 'manual', by: 'alice@example.com' }, {}, undefined);
    expect(response.statusCode).toBe(200);
    expect(json(response)).toEqual({ runId: 'r-1', status: 'complete' });
  });

  it('takes the caller from API Gateway’s authorizer claims, as in the sample event', async () => {
    runFromTrigger.mockResolvedValueOnce({ runId: 'r-2' });
    expect((await call(sample)).statusCode).toBe(200);
    expect(runFromTrigger).toHaveBeenCalledWith({ type: 'manual', by: 'analyst@example.com' }, {}, undefined);
  });

  it('treats an empty body as no options', async () => {
    runFromTrigger.mockResolvedValueOnce({ runId: 'r-3' });
    expect((await post(undefined, `Bearer ${token(['compliance'])}`)).statusCode).toBe(200);
    expect(runFromTrigger).toHaveBeenLastCalledWith({ type: 'manual', by: 'alice@example.com' }, {}, undefined);
  });

  it('answers 401 asking for a bearer token when there is none, before looking at the body, without running', async () => {
    for (const body of ['{}', '{"requestedBy":']) {
      const response = await post(body);
      expect(response.statusCode).toBe(401);
      expect(response.headers?.['www-authenticate']).toBe('Bearer');
      expect(json(response)).toEqual({ message: 'unauthorized', problem: expect.stringMatching(/no bearer token/) });
    }
    expect(runFromTrigger).not.toHaveBeenCalled();
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
    expect(runFromTrigger).not.toHaveBeenCalled();
  });

  it('answers 403 for a valid token without the compliance role, without running', async () => {
    const response = await post('{}', `Bearer ${token(['viewer'], 'bob@example.com')}`);
    expect(response.statusCode).toBe(403);
    expect(json(response)).toEqual({ message: 'forbidden', problem: 'the token does not grant the role "compliance"' });
    expect(runFromTrigger).not.toHaveBeenCalled();
  });

  it('answers 400 naming the problem for malformed JSON and for unknown fields with a valid token, without running', async () => {
    const authorization = `Bearer ${token(['compliance'])}`;
    const malformed = await post('{"requestedBy":', authorization);
    expect(malformed.statusCode).toBe(400);
    expect(json(malformed).problems).toEqual(['body: not valid JSON']);
    const unknown = await post('{"users":["u1"]}', authorization);
    expect(unknown.statusCode).toBe(400);
    expect(json(unknown).problems.join()).toMatch(/users/);
    expect(runFromTrigger).not.toHaveBeenCalled();
  });

  it('answers a plain 500 that reveals nothing when the run itself fails', async () => {
    runFromTrigger.mockRejectedValueOnce(new Error('ECONNREFUSED 10.0.0.1 token=abc'));
    const response = await post('{}', `Bearer ${token(['compliance'])}`);
    expect(response.statusCode).toBe(500);
    expect(response.body).not.toMatch(/ECONNREFUSED|token/);
  });
});
