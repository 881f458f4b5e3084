import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { isCallback, jwtClaims, pkcePair, redirectUri, rolesOf } from '../../../console/src/oidc';

describe('pkcePair', () => {
  it('sends the S256 challenge of a verifier that stays in the tab (RFC 7636)', async () => {
    const { verifier, challenge } = await pkcePair();
    expect(verifier).toMatch(/^[A-Za-z0-9_-]{43,128}$/);
    expect(challenge).toBe(createHash('sha256').update(verifier).digest('base64url'));
  });

  it('makes a new verifier for every sign-in', async () => {
    const [first, second] = await Promise.all([pkcePair(), pkcePair()]);
    expect(first.verifier).not.toBe(second.verifier);
  });
});

describe('the OIDC redirect', () => {
  it('comes back to the console page itself, without query or hash', () => {
    expect(redirectUri({ origin: 'https://api.example', pathname: '/console/' })).toBe('https://api.example/console/');
  });

  it('is recognised by its state with a code or an error', () => {
    expect(isCallback('?code=abc&state=xyz')).toBe(true);
    expect(isCallback('?error=access_denied&state=xyz')).toBe(true);
    expect(isCallback('?code=abc')).toBe(false);
    expect(isCallback('')).toBe(false);
  });
});

describe('reading a token', () => {
  const token = (claims: object) => `e30.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.sig`;

  it('reads the name and the roles of the configured claim, a list or one name, as the API does', () => {
    const claims = jwtClaims(token({ sub: 'alice', 'cognito:groups': ['compliance'], roles: 'compliance' }));
    expect(claims.sub).toBe('alice');
    expect(rolesOf(claims, 'cognito:groups')).toEqual(['compliance']);
    expect(rolesOf(claims, 'roles')).toEqual(['compliance']);
    expect(rolesOf(claims, 'groups')).toEqual([]);
  });

  it('reads nothing from what is not a JWT', () => {
    expect(jwtClaims('opaque')).toEqual({});
    expect(jwtClaims('a.%%%.c')).toEqual({});
    expect(rolesOf({ roles: [1, 2] }, 'roles')).toEqual([]);
  });
});
