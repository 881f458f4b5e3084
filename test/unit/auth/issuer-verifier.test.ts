import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import middy from '@middy/core';
import type { Fetcher } from 'aws-jwt-verify/https';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { exportJWK, generateKeyPair, type JWTPayload, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issuerVerifier } from '../../../lib/auth/issuer-verifier';
import { UnauthorizedError } from '../../../lib/errors';
import { createLogger } from '../../../lib/log';
import { type AuthorizedHttpEvent, authorize } from '../../../lib/middleware/authorize';
import { httpErrorResponse } from '../../../lib/middleware/error-response';

const ISSUER = 'https://issuer.test/pool-1';
const AUDIENCE = 'balance-recon';
type Key = Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];

/**
 * The issuer's JWKS, served over HTTP on a random port. The fetcher sends the verifier's
 * `https://issuer.test/…` requests there: the keys are fetched and parsed for real.
 */
let server: Server;
let fetcher: Fetcher;
let issuerKey: Key;
let otherKey: Key;
let jwksRequests = 0;

beforeAll(async () => {
  const issuer = await generateKeyPair('RS256');
  issuerKey = issuer.privateKey;
  otherKey = (await generateKeyPair('RS256')).privateKey;
  const jwks = JSON.stringify({ keys: [{ ...(await exportJWK(issuer.publicKey)), kid: 'key-1', alg: 'RS256', use: 'sig' }] });
  server = createServer((request, response) => {
    jwksRequests += 1;
    if (request.url !== '/pool-1/.well-known/jwks.json') return void response.writeHead(404).end();
    response.writeHead(200, { 'content-type': 'application/json' }).end(jwks);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const local = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  fetcher = {
    fetch: async (uri) => {
      const response = await fetch(uri.replace('https://issuer.test', local));
      if (response.status !== 200) throw new Error(`JWKS answered ${response.status}`);
      return response.arrayBuffer();
    },
  };
});
afterAll(() => new Promise((resolve) => server?.close(resolve)));

/** A token as the issuer (or someone else) signs it. */
function sign(claims: JWTPayload, options: { key?: Key; kid?: string; expiresIn?: string | number } = {}): Promise<string> {
  return new SignJWT({ iss: ISSUER, aud: AUDIENCE, sub: 'alice@example.com', ...claims })
    .setProtectedHeader({ alg: 'RS256', kid: options.kid ?? 'key-1' })
    .setIssuedAt()
    .setExpirationTime(options.expiresIn ?? '10m')
    .sign(options.key ?? issuerKey);
}

async function refusal(promise: Promise<unknown>): Promise<UnauthorizedError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof UnauthorizedError) return error;
    throw error;
  }
  throw new Error('the token was accepted');
}

describe('issuerVerifier (aws-jwt-verify against the issuer’s JWKS over HTTP)', () => {
  const verify = () => issuerVerifier({ issuerUrl: ISSUER, audience: AUDIENCE, fetcher });

  it('accepts the issuer’s token and returns its sub and claims as signed', async () => {
    const verified = await verify()(await sign({ 'cognito:groups': ['compliance'] }));
    expect(verified.sub).toBe('alice@example.com');
    expect(verified.claims['cognito:groups']).toEqual(['compliance']);
  });

  it('accepts a Cognito access token, whose client_id stands for the audience', async () => {
    const token = await sign({ aud: undefined, client_id: AUDIENCE, token_use: 'access' });
    expect((await verify()(token)).sub).toBe('alice@example.com');
  });

  it('refuses a token from another issuer, for another audience, expired, or signed with another key', async () => {
    const verifier = verify();
    const bad = {
      issuer: await sign({ iss: 'https://elsewhere.test/pool-1' }),
      audience: await sign({ aud: 'another-api' }),
      clientId: await sign({ aud: undefined, client_id: 'another-client' }),
      expired: await sign({}, { expiresIn: Math.floor(Date.now() / 1000) - 3600 }),
      key: await sign({}, { key: otherKey }),
      kid: await sign({}, { key: otherKey, kid: 'key-2' }),
    };
    const problems = Object.fromEntries(
      await Promise.all(Object.entries(bad).map(async ([what, token]) => [what, (await refusal(verifier(token))).problem])),
    );
    expect(problems).toMatchObject({
      issuer: expect.stringMatching(/issuer/i),
      audience: 'token audience does not include the expected one',
      clientId: 'token audience does not include the expected one',
      expired: expect.stringMatching(/expired/i),
      key: expect.stringMatching(/signature/i),
    });
    for (const [what, token] of Object.entries(bad)) expect(problems[what], what).not.toContain(token.split('.')[2]);
  });

  it('refuses a token without a sub', async () => {
    expect((await refusal(verify()(await sign({ sub: undefined })))).problem).toMatch(/sub: is required/);
  });

  it('fetches the keys once and reuses them', async () => {
    const verifier = verify();
    const before = jwksRequests;
    for (let i = 0; i < 3; i += 1) await verifier(await sign({}));
    expect(jwksRequests - before).toBe(1);
  });
});

describe('authorize with the issuer’s JWKS (a handler as deployed: AUTH_ISSUER_URL, no dev key)', () => {
  const env = { AUTH_ISSUER_URL: ISSUER, AUTH_JWT_AUDIENCE: AUDIENCE };
  const log = createLogger('error');
  const handlerFor = (access: 'read' | 'act') =>
    middy<AuthorizedHttpEvent>()
      .use(httpErrorResponse(() => log))
      // The JWKS server starts in beforeAll, after these handlers are made.
      .use(authorize({ access, env, fetcher: { fetch: (...args) => fetcher.fetch(...args) } }))
      .handler(async (event) => ({ statusCode: 200, body: JSON.stringify({ sub: event.caller.sub, roles: event.caller.roles }) }));
  const read = handlerFor('read');
  const act = handlerFor('act');
  const call = async (handler: typeof read, token: string, forwarded?: Record<string, unknown>) => {
    const event = {
      headers: { authorization: `Bearer ${token}` },
      requestContext: { ...(forwarded && { authorizer: { jwt: { claims: forwarded, scopes: null } } }) },
    } as unknown as APIGatewayProxyEventV2;
    return (await handler(event as never, {} as Context)) as APIGatewayProxyStructuredResultV2;
  };

  it('lets the act role act and read, and the read role only read', async () => {
    const actor = await sign({ 'cognito:groups': ['compliance'] });
    const reader = await sign({ 'cognito:groups': ['compliance-read'] });
    expect((await call(act, actor)).statusCode).toBe(200);
    expect((await call(read, actor)).statusCode).toBe(200);
    expect((await call(read, reader)).statusCode).toBe(200);
    expect((await call(act, reader)).statusCode).toBe(403);
  });

  it('answers 403 to groups that only contain the word, and to a scope that says it', async () => {
    for (const claims of [
      { 'cognito:groups': ['not compliance'] },
      { 'cognito:groups': ['Finance compliance'] },
      { scope: 'compliance' },
    ]) {
      expect((await call(read, await sign(claims))).statusCode, JSON.stringify(claims)).toBe(403);
    }
  });

  it('answers 401 to a token the issuer did not sign, whatever API Gateway’s forwarded claims say', async () => {
    const forged = await sign({ 'cognito:groups': ['compliance'] }, { key: otherKey });
    const response = await call(read, forged, { sub: 'alice@example.com', 'cognito:groups': '[compliance]' });
    expect(response.statusCode).toBe(401);
  });
});
