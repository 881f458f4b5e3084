import { readFileSync } from 'node:fs';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { callerFrom, requireRole } from '../../../lib/auth/caller';
import { signDevToken } from '../../../lib/auth/jwt';
import { ConfigError, ForbiddenError, UnauthorizedError } from '../../../lib/errors';
import { callerOptionsFromEnv } from '../../../lib/middleware/authorize';

const DEV_KEY = 'dev-key-of-at-least-thirty-two-characters';
const sample: APIGatewayProxyEventV2 = JSON.parse(readFileSync('events/manual-run.json', 'utf8'));
const { authorizer: _authorizer, ...contextWithoutAuthorizer } = JSON.parse(readFileSync('events/manual-run.json', 'utf8')).requestContext;

/** An HTTP API event as API Gateway hands it over after its JWT authorizer accepted the token. */
function withClaims(claims: Record<string, unknown>): APIGatewayProxyEventV2 {
  return { ...sample, requestContext: { ...contextWithoutAuthorizer, authorizer: { jwt: { claims, scopes: null } } } };
}

/** An HTTP API event no authorizer has seen, as serverless-offline and `sls invoke local` give it. */
function withHeaders(headers: Record<string, string>): APIGatewayProxyEventV2 {
  return { ...sample, headers: { 'content-type': 'application/json', ...headers }, requestContext: contextWithoutAuthorizer };
}

const devToken = (roles: string[], sub = 'alice@example.com') => signDevToken({ sub, roles, ttlSeconds: 600, key: DEV_KEY });

function thrown(action: () => unknown): unknown {
  try {
    action();
  } catch (error) {
    return error;
  }
  throw new Error('nothing was thrown');
}

describe('callerFrom, behind API Gateway’s JWT authorizer', () => {
  it('reads the sub and a roles array', () => {
    expect(callerFrom(withClaims({ sub: 'alice', roles: ['compliance', 'ops'] }), {})).toEqual({
      sub: 'alice',
      roles: ['compliance', 'ops'],
    });
  });

  it('reads roles flattened to the string "[a b]", as API Gateway forwards arrays', () => {
    expect(callerFrom(withClaims({ sub: 'alice', roles: '[compliance ops]' }), {}).roles).toEqual(['compliance', 'ops']);
    expect(callerFrom(withClaims({ sub: 'alice', roles: '[]' }), {}).roles).toEqual([]);
  });

  it('reads roles from a space-separated scope', () => {
    expect(callerFrom(withClaims({ sub: 'alice', scope: 'openid compliance' }), {}).roles).toEqual(['openid', 'compliance']);
  });

  it('reads roles from Cognito groups', () => {
    expect(callerFrom(withClaims({ sub: 'alice', 'cognito:groups': '[compliance]' }), {}).roles).toEqual(['compliance']);
  });

  it('reads the sample event’s claims, so `sls invoke local` needs no header', () => {
    expect(callerFrom(sample, {})).toEqual({ sub: 'analyst@example.com', roles: ['compliance'] });
  });

  it('trusts the claims over the header, which it does not need to verify again', () => {
    const event = { ...withClaims({ sub: 'alice', roles: '[compliance]' }), headers: { authorization: 'Bearer issuer-signed.jwt.token' } };
    expect(callerFrom(event, { devKey: DEV_KEY }).sub).toBe('alice');
  });

  it('answers 401 when the claims have no sub', () => {
    expect(thrown(() => callerFrom(withClaims({ roles: '[compliance]' }), {}))).toBeInstanceOf(UnauthorizedError);
  });
});

describe('callerFrom, with a local dev key', () => {
  it('verifies the bearer token of the Authorization header', () => {
    expect(callerFrom(withHeaders({ authorization: `Bearer ${devToken(['compliance'])}` }), { devKey: DEV_KEY })).toEqual({
      sub: 'alice@example.com',
      roles: ['compliance'],
    });
    expect(callerFrom(withHeaders({ Authorization: `bearer ${devToken(['compliance'])}` }), { devKey: DEV_KEY }).sub).toBe(
      'alice@example.com',
    );
  });

  it('answers 401 for a token signed with another key', () => {
    const token = signDevToken({ sub: 'mallory', roles: ['compliance'], ttlSeconds: 600, key: 'another-key-of-at-least-thirty-two-chars' });
    const error = thrown(() => callerFrom(withHeaders({ authorization: `Bearer ${token}` }), { devKey: DEV_KEY }));
    expect(error).toBeInstanceOf(UnauthorizedError);
    expect(error).toMatchObject({ problem: 'token signature does not verify' });
  });

  it('answers 401 without an Authorization header, or with one that is not a bearer token', () => {
    const headerCases: Record<string, string>[] = [{}, { authorization: 'Basic YWxpY2U6c2VjcmV0' }, { authorization: 'Bearer' }];
    for (const headers of headerCases) {
      expect(thrown(() => callerFrom(withHeaders(headers), { devKey: DEV_KEY }))).toBeInstanceOf(UnauthorizedError);
    }
    expect(thrown(() => callerFrom(withHeaders({}), { devKey: DEV_KEY }))).toMatchObject({
      problem: expect.stringMatching(/no bearer token/),
    });
  });

  it('answers 401 for a bearer token when there is neither an authorizer nor a dev key to verify it', () => {
    const error = thrown(() => callerFrom(withHeaders({ authorization: `Bearer ${devToken(['compliance'])}` }), {}));
    expect(error).toBeInstanceOf(UnauthorizedError);
    expect(error).toMatchObject({ problem: expect.stringMatching(/AUTH_DEV_KEY is not set/) });
  });

  it('ignores claims it cannot trust (serverless-offline decodes any bearer token into them, unverified)', () => {
    const forged = withClaims({ sub: 'mallory', roles: '[compliance]' });
    expect(thrown(() => callerFrom(forged, { devKey: DEV_KEY, trustAuthorizerClaims: false }))).toBeInstanceOf(UnauthorizedError);
    const verified = { ...forged, headers: { authorization: `Bearer ${devToken(['compliance'])}` } };
    expect(callerFrom(verified, { devKey: DEV_KEY, trustAuthorizerClaims: false }).sub).toBe('alice@example.com');
  });

  it('checks issuer and audience when they are configured', () => {
    const token = signDevToken({ sub: 'alice', roles: ['compliance'], ttlSeconds: 600, key: DEV_KEY, audience: 'someone-else' });
    const event = withHeaders({ authorization: `Bearer ${token}` });
    expect(thrown(() => callerFrom(event, { devKey: DEV_KEY, audience: 'balance-recon' }))).toBeInstanceOf(UnauthorizedError);
  });
});

describe('requireRole', () => {
  it('lets a caller with the role through', () => {
    const caller = { sub: 'alice', roles: ['ops', 'compliance'] };
    expect(requireRole(caller, 'compliance')).toBe(caller);
  });

  it('answers 403 naming the missing role for a caller without it', () => {
    const error = thrown(() => requireRole({ sub: 'bob', roles: ['viewer', 'compliance-reader'] }, 'compliance'));
    expect(error).toBeInstanceOf(ForbiddenError);
    expect(error).toMatchObject({ sub: 'bob', role: 'compliance', problem: 'the token does not grant the role "compliance"' });
  });
});

describe('callerOptionsFromEnv', () => {
  it('distrusts authorizer claims under serverless-offline, and trusts them elsewhere', () => {
    expect(callerOptionsFromEnv({ IS_OFFLINE: 'true' }).trustAuthorizerClaims).toBe(false);
    expect(callerOptionsFromEnv({}).trustAuthorizerClaims).toBe(true);
  });

  it('reads empty variables as unset, as serverless.yml passes them', () => {
    expect(callerOptionsFromEnv({ AUTH_DEV_KEY: '', AUTH_ISSUER: '', AUTH_AUDIENCE: '' })).toEqual({
      devKey: undefined,
      issuer: undefined,
      audience: undefined,
      trustAuthorizerClaims: true,
    });
  });

  it('holds the dev key as a Secret, and refuses one shorter than 32 characters without quoting it', () => {
    expect(String(callerOptionsFromEnv({ AUTH_DEV_KEY: DEV_KEY }).devKey)).toBe('[redacted]');
    const error = thrown(() => callerOptionsFromEnv({ AUTH_DEV_KEY: 'short-dev-key' }));
    expect(error).toBeInstanceOf(ConfigError);
    expect(error).toMatchObject({ problems: ['AUTH_DEV_KEY must be at least 32 characters'] });
    expect(String(error)).not.toContain('short-dev-key');
  });
});
