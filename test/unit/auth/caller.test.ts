import { readFileSync } from 'node:fs';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { type CallerOptions, callerFrom } from '../../../lib/auth/caller';
import { signDevToken, verifyJwt } from '../../../lib/auth/jwt';
import { DEFAULT_ROLE_POLICY, requireAccess, rolesFrom } from '../../../lib/auth/roles';
import { ConfigError, ForbiddenError, UnauthorizedError } from '../../../lib/errors';
import { authSettingsFromEnv } from '../../../lib/middleware/authorize';

const DEV_KEY = 'dev-key-of-at-least-thirty-two-characters';
const sample: APIGatewayProxyEventV2 = JSON.parse(readFileSync('events/manual-run.json', 'utf8'));

/** An HTTP API event with these headers and the sample's forwarded claims, which must not matter. */
function withHeaders(headers: Record<string, string>): APIGatewayProxyEventV2 {
  return { ...sample, headers: { 'content-type': 'application/json', ...headers } };
}

const devToken = (roles: string[], sub = 'alice@example.com') => signDevToken({ sub, roles, ttlSeconds: 600, key: DEV_KEY });
const devKeyOptions: CallerOptions = {
  verify: async (token) => verifyJwt(token, { key: DEV_KEY }),
  rolesClaim: 'cognito:groups',
};

async function thrown(action: () => unknown): Promise<unknown> {
  try {
    await action();
  } catch (error) {
    return error;
  }
  throw new Error('nothing was thrown');
}

describe('rolesFrom', () => {
  it('reads the exact names of the one configured claim', () => {
    const claims = { sub: 'a', 'cognito:groups': ['Finance compliance', 'ops'], roles: ['compliance'], scope: 'compliance' };
    expect(rolesFrom(claims, 'cognito:groups')).toEqual(['Finance compliance', 'ops']);
    expect(rolesFrom(claims, 'roles')).toEqual(['compliance']);
  });

  it('reads a single name given as a string whole, never split on spaces, commas or brackets', () => {
    expect(rolesFrom({ roles: 'not compliance' }, 'roles')).toEqual(['not compliance']);
    expect(rolesFrom({ roles: 'a,compliance' }, 'roles')).toEqual(['a,compliance']);
    expect(rolesFrom({ roles: '[compliance ops]' }, 'roles')).toEqual(['[compliance ops]']);
  });

  it('gives no role without the claim, and refuses a claim that is not names', () => {
    expect(rolesFrom({ scope: 'compliance' }, 'cognito:groups')).toEqual([]);
    expect(() => rolesFrom({ roles: [1, 'compliance'] }, 'roles')).toThrow(UnauthorizedError);
    expect(() => rolesFrom({ roles: { compliance: true } }, 'roles')).toThrow(/not a list of role names/);
  });
});

describe('requireAccess', () => {
  const policy = DEFAULT_ROLE_POLICY;

  it('lets the act role act and read, and the read role read only', () => {
    expect(requireAccess({ sub: 'a', roles: ['compliance'] }, 'act', policy).sub).toBe('a');
    expect(requireAccess({ sub: 'a', roles: ['compliance'] }, 'read', policy).sub).toBe('a');
    expect(requireAccess({ sub: 'r', roles: ['compliance-read'] }, 'read', policy).sub).toBe('r');
    expect(() => requireAccess({ sub: 'r', roles: ['compliance-read'] }, 'act', policy)).toThrow(ForbiddenError);
  });

  it('answers 403 to names that merely contain the role, differ in case, or carry spaces', async () => {
    for (const role of ['not compliance', 'Finance compliance', 'Compliance', ' compliance', 'compliance-reader', '[compliance]']) {
      const error = await thrown(() => requireAccess({ sub: 'bob', roles: [role] }, 'read', policy));
      expect(error, role).toBeInstanceOf(ForbiddenError);
    }
    expect(await thrown(() => requireAccess({ sub: 'bob', roles: ['viewer'] }, 'act', policy))).toMatchObject({
      sub: 'bob',
      problem: 'the token does not grant the role "compliance"',
    });
  });

  it('uses the configured names', () => {
    const custom = { claim: 'roles', readRole: 'auditor', actRole: 'recon-admin' };
    expect(requireAccess({ sub: 'a', roles: ['auditor'] }, 'read', custom).sub).toBe('a');
    expect(() => requireAccess({ sub: 'a', roles: ['compliance'] }, 'read', custom)).toThrow(ForbiddenError);
  });
});

describe('callerFrom', () => {
  it('verifies the bearer token of the Authorization header and reads the roles claim', async () => {
    expect(await callerFrom(withHeaders({ authorization: `Bearer ${devToken(['compliance'])}` }), devKeyOptions)).toEqual({
      sub: 'alice@example.com',
      roles: ['compliance'],
    });
    const upper = withHeaders({ Authorization: `bearer ${devToken(['compliance'])}` });
    expect((await callerFrom(upper, devKeyOptions)).sub).toBe('alice@example.com');
  });

  it('never reads API Gateway’s forwarded claims: without a header the sample event is 401', async () => {
    expect(sample.requestContext).toHaveProperty('authorizer.jwt.claims.sub');
    expect(await thrown(() => callerFrom(sample, devKeyOptions))).toMatchObject({ problem: expect.stringMatching(/no bearer token/) });
  });

  it('answers 401 for a token signed with another key', async () => {
    const token = signDevToken({ sub: 'mallory', roles: ['compliance'], ttlSeconds: 600, key: 'another-key-of-at-least-thirty-two-chars' });
    const error = await thrown(() => callerFrom(withHeaders({ authorization: `Bearer ${token}` }), devKeyOptions));
    expect(error).toBeInstanceOf(UnauthorizedError);
    expect(error).toMatchObject({ problem: 'token signature does not verify' });
  });

  it('answers 401 without an Authorization header, or with one that is not a bearer token', async () => {
    const headerCases: Record<string, string>[] = [{}, { authorization: 'Basic YWxpY2U6c2VjcmV0' }, { authorization: 'Bearer' }];
    for (const headers of headerCases) {
      expect(await thrown(() => callerFrom(withHeaders(headers), devKeyOptions))).toBeInstanceOf(UnauthorizedError);
    }
  });

  it('answers 401 when nothing is configured to verify the token', async () => {
    const error = await thrown(() =>
      callerFrom(withHeaders({ authorization: `Bearer ${devToken(['compliance'])}` }), { verify: undefined, rolesClaim: 'roles' }),
    );
    expect(error).toMatchObject({ problem: expect.stringMatching(/neither AUTH_ISSUER_URL nor AUTH_DEV_KEY/) });
  });
});

describe('authSettingsFromEnv', () => {
  it('defaults to cognito:groups, compliance-read and compliance, and reads empty variables as unset', () => {
    const settings = authSettingsFromEnv({
      AUTH_ROLES_CLAIM: '',
      AUTH_READ_ROLE: '',
      AUTH_ACT_ROLE: '',
      AUTH_DEV_KEY: '',
      AUTH_ISSUER_URL: '',
    });
    expect(settings.policy).toEqual({ claim: 'cognito:groups', readRole: 'compliance-read', actRole: 'compliance' });
    expect(settings.verify).toBeUndefined();
  });

  it('reads the configured claim and role names', () => {
    const env = { AUTH_ROLES_CLAIM: 'roles', AUTH_READ_ROLE: 'auditor', AUTH_ACT_ROLE: 'recon-admin', AUTH_DEV_KEY: DEV_KEY };
    expect(authSettingsFromEnv(env)).toMatchObject({ rolesClaim: 'roles', policy: { readRole: 'auditor', actRole: 'recon-admin' } });
  });

  it('verifies with the dev key when it is set, checking issuer and audience when configured', async () => {
    const settings = authSettingsFromEnv({ AUTH_DEV_KEY: DEV_KEY, AUTH_AUDIENCE: 'balance-recon' });
    const other = signDevToken({ sub: 'alice', roles: ['compliance'], ttlSeconds: 600, key: DEV_KEY, audience: 'someone-else' });
    expect(await thrown(() => settings.verify?.(other))).toBeInstanceOf(UnauthorizedError);
  });

  it('refuses a short dev key without quoting it, an http issuer, and an issuer without audience', async () => {
    const short = await thrown(() => authSettingsFromEnv({ AUTH_DEV_KEY: 'short-dev-key' }));
    expect(short).toBeInstanceOf(ConfigError);
    expect(short).toMatchObject({ problems: ['AUTH_DEV_KEY must be at least 32 characters'] });
    expect(String(short)).not.toContain('short-dev-key');
    expect(await thrown(() => authSettingsFromEnv({ AUTH_ISSUER_URL: 'http://issuer.test', AUTH_JWT_AUDIENCE: 'a' }))).toMatchObject({
      problems: ['AUTH_ISSUER_URL must be an https URL'],
    });
    expect(await thrown(() => authSettingsFromEnv({ AUTH_ISSUER_URL: 'https://issuer.test' }))).toMatchObject({
      problems: ['AUTH_JWT_AUDIENCE is required with AUTH_ISSUER_URL'],
    });
  });
});
