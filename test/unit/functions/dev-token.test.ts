import type { APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { handlerWith } from '../../../functions/dev-token';
import { devTokenAnswerSchema } from '../../../lib/api/schemas';
import { verifyJwt } from '../../../lib/auth/jwt';
import { createLogger } from '../../../lib/log';

const DEV_KEY = 'dev-key-of-at-least-thirty-two-characters';
const log = createLogger('error');
const wiring = { get: () => ({ log }), log: () => log };

const post = (env: NodeJS.ProcessEnv, body: string) =>
  handlerWith(wiring, env)(
    {
      version: '2.0',
      routeKey: 'POST /dev/token',
      rawPath: '/dev/token',
      rawQueryString: '',
      headers: { 'content-type': 'application/json' },
      body,
      isBase64Encoded: false,
      requestContext: { http: { method: 'POST', path: '/dev/token' } },
    } as never,
    { awsRequestId: 'req-1' } as Context,
  ) as Promise<APIGatewayProxyStructuredResultV2>;

describe('POST /dev/token', () => {
  it('signs a token for the user with the act role that the functions’ own check accepts', async () => {
    const env = { AUTH_DEV_KEY: DEV_KEY, AUTH_AUDIENCE: 'balance-recon', AUTH_ROLES_CLAIM: 'groups' };
    const answer = await post(env, JSON.stringify({ sub: 'bob', access: 'act' }));
    expect(answer.statusCode).toBe(200);
    const signed = devTokenAnswerSchema.parse(JSON.parse(String(answer.body)));
    expect(signed).toMatchObject({ sub: 'bob', roles: ['compliance'] });
    const verified = verifyJwt(signed.token, { key: DEV_KEY, audience: 'balance-recon' });
    expect(verified.claims).toMatchObject({ sub: 'bob', groups: ['compliance'] });
    expect(verified.expiresAt.toISOString()).toBe(signed.expiresAt);
    expect(verified.expiresAt.getTime() - Date.now()).toBeGreaterThan(7.9 * 3600_000);
  });

  it('gives the read role only when read access is asked for, with the configured role name', async () => {
    const answer = await post({ AUTH_DEV_KEY: DEV_KEY, AUTH_READ_ROLE: 'viewers' }, JSON.stringify({ sub: 'carol', access: 'read' }));
    expect(JSON.parse(String(answer.body))).toMatchObject({ sub: 'carol', roles: ['viewers'] });
  });

  it('refuses a user name that is not one, naming the field', async () => {
    const answer = await post({ AUTH_DEV_KEY: DEV_KEY }, JSON.stringify({ sub: 'bob smith<script>', access: 'act' }));
    expect(answer.statusCode).toBe(400);
    expect(JSON.parse(String(answer.body)).problems.join(' ')).toMatch(/body\.sub/);
  });

  it('is not there without a dev key (every deployed stage): 404 before the body is even read', async () => {
    for (const env of [{}, { AUTH_DEV_KEY: '' }]) {
      expect((await post(env, JSON.stringify({ sub: 'bob', access: 'act' }))).statusCode).toBe(404);
      expect((await post(env, 'not json')).statusCode).toBe(404);
    }
  });
});
