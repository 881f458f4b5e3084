import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CLOCK_LEEWAY_SECONDS, signDevToken, verifyJwt } from '../../../lib/auth/jwt';
import { UnauthorizedError } from '../../../lib/errors';
import { Secret } from '../../../lib/secret';

const KEY = 'test-key-of-at-least-thirty-two-characters';
const NOW = new Date('2026-11-22T10:00:00Z');
const nowSeconds = NOW.getTime() / 1000;
const at = (date: Date) => () => date;
const secondsLater = (seconds: number) => at(new Date(NOW.getTime() + seconds * 1000));

const aliceToken = (overrides: Partial<Parameters<typeof signDevToken>[0]> = {}) =>
  signDevToken({ sub: 'alice@example.com', roles: ['compliance'], ttlSeconds: 3600, key: KEY, now: at(NOW), ...overrides });

/** Signs arbitrary header and payload parts with HS256, independently of the code under test. */
function signParts(header: string, payload: string, key = KEY): string {
  return `${header}.${payload}.${createHmac('sha256', key).update(`${header}.${payload}`).digest('base64url')}`;
}

/** Signs arbitrary header and payload text. */
function signRaw(header: string, payload: string, key = KEY): string {
  return signParts(Buffer.from(header).toString('base64url'), Buffer.from(payload).toString('base64url'), key);
}

const HS256 = JSON.stringify({ alg: 'HS256', typ: 'JWT' });
const validClaims = { sub: 'alice@example.com', roles: ['compliance'], exp: nowSeconds + 600 };

function refusal(token: string, options: Partial<Parameters<typeof verifyJwt>[1]> = {}): UnauthorizedError {
  try {
    verifyJwt(token, { key: KEY, now: at(NOW), ...options });
  } catch (error) {
    if (error instanceof UnauthorizedError) return error;
    throw error;
  }
  throw new Error('the token was accepted');
}

describe('verifyJwt', () => {
  it('accepts a token it signed and returns its subject, its claims and expiry', () => {
    expect(verifyJwt(aliceToken(), { key: KEY, now: at(NOW) })).toEqual({
      sub: 'alice@example.com',
      claims: { sub: 'alice@example.com', 'cognito:groups': ['compliance'], iat: nowSeconds, exp: nowSeconds + 3600 },
      expiresAt: new Date(NOW.getTime() + 3_600_000),
    });
  });

  it('accepts the key as a Secret as well as plain text', () => {
    expect(verifyJwt(aliceToken({ key: new Secret(KEY) }), { key: new Secret(KEY), now: at(NOW) }).sub).toBe('alice@example.com');
  });

  it('returns the claims as signed, leaving roles to the one claim the caller reads (no merging with scope)', () => {
    const signed = { ...validClaims, roles: ['viewer'], scope: 'compliance viewer', 'cognito:groups': ['Finance compliance'] };
    expect(verifyJwt(signRaw(HS256, JSON.stringify(signed)), { key: KEY, now: at(NOW) }).claims).toEqual(signed);
  });

  it('refuses an expired token once the 30 s leeway has passed, and not before', () => {
    const token = aliceToken({ ttlSeconds: 60 });
    expect(verifyJwt(token, { key: KEY, now: secondsLater(60 + CLOCK_LEEWAY_SECONDS - 1) }).sub).toBe('alice@example.com');
    expect(refusal(token, { now: secondsLater(60 + CLOCK_LEEWAY_SECONDS) }).problem).toBe('token has expired');
  });

  it('refuses a token before its nbf, beyond the leeway', () => {
    const token = signRaw(HS256, JSON.stringify({ ...validClaims, nbf: nowSeconds + 120 }));
    expect(refusal(token).problem).toMatch(/not valid yet/);
    expect(verifyJwt(token, { key: KEY, now: secondsLater(120 - CLOCK_LEEWAY_SECONDS) }).sub).toBe('alice@example.com');
  });

  it('refuses a token issued in the future', () => {
    const token = signRaw(HS256, JSON.stringify({ ...validClaims, iat: nowSeconds + 300 }));
    expect(refusal(token).problem).toMatch(/issued in the future/);
  });

  it('refuses a token signed with another key', () => {
    expect(refusal(aliceToken({ key: 'another-key-of-at-least-thirty-two-chars' })).problem).toBe('token signature does not verify');
  });

  it('refuses alg none, even without a signature', () => {
    const payload = Buffer.from(JSON.stringify(validClaims)).toString('base64url');
    const none = `${Buffer.from(JSON.stringify({ alg: 'none' })).toString('base64url')}.${payload}`;
    expect(refusal(`${none}.`).problem).toMatch(/malformed|not HS256/);
    expect(refusal(`${none}.${aliceToken().split('.')[2]}`).problem).toBe('token algorithm is not HS256 (the only one accepted)');
  });

  it('refuses RS256 and any algorithm other than HS256, even when HMAC-signed with the key', () => {
    for (const alg of ['RS256', 'HS512', 'hs256', 'ES256']) {
      expect(refusal(signRaw(JSON.stringify({ alg, typ: 'JWT' }), JSON.stringify(validClaims))).problem).toMatch(/not HS256/);
    }
    expect(refusal(signRaw(JSON.stringify({ typ: 'JWT' }), JSON.stringify(validClaims))).problem).toMatch(/not HS256/);
  });

  it('refuses a token whose payload was changed after signing', () => {
    const [header, , signature] = aliceToken({ roles: ['viewer'] }).split('.');
    const forged = Buffer.from(JSON.stringify({ ...validClaims, roles: ['compliance'] })).toString('base64url');
    expect(refusal(`${header}.${forged}.${signature}`).problem).toBe('token signature does not verify');
  });

  it('refuses tokens that are not three base64url parts of JSON', () => {
    const [header, payload, signature] = aliceToken().split('.');
    expect(refusal(`${header}.${payload}`).problem).toMatch(/2 parts instead of 3/);
    expect(refusal(`${header}.${payload}.${signature}.x`).problem).toMatch(/4 parts instead of 3/);
    expect(refusal('').problem).toMatch(/malformed/);
    expect(refusal(`${header}.pay+load/.${signature}`).problem).toMatch(/not base64url/);
    expect(refusal(`${header}..${signature}`).problem).toMatch(/not base64url/);
    // A dangling character that lenient decoders drop, signed with the key: still not base64url.
    let text = JSON.stringify(validClaims);
    while (Buffer.from(text).toString('base64url').length % 4 !== 0) text += ' ';
    const dangling = `${Buffer.from(text).toString('base64url')}A`;
    expect(Buffer.from(dangling, 'base64url').toString()).toBe(text);
    expect(refusal(signParts(Buffer.from(HS256).toString('base64url'), dangling)).problem).toBe(
      'token is malformed: the payload is not base64url',
    );
    expect(refusal(`${Buffer.from('{alg').toString('base64url')}.${payload}.${signature}`).problem).toBe(
      'token is malformed: the header is not JSON',
    );
    expect(refusal(signRaw(HS256, 'not json')).problem).toBe('token is malformed: the payload is not JSON');
    expect(refusal(signRaw('"HS256"', JSON.stringify(validClaims))).problem).toMatch(/header is not a JSON object/);
  });

  it('refuses a token without exp, or without sub', () => {
    const { exp: _exp, ...withoutExp } = validClaims;
    expect(refusal(signRaw(HS256, JSON.stringify(withoutExp))).problem).toMatch(/^token claims: exp: /);
    const { sub: _sub, ...withoutSub } = validClaims;
    expect(refusal(signRaw(HS256, JSON.stringify(withoutSub))).problem).toMatch(/^token claims: sub: /);
  });

  it('checks iss and aud only when they are configured', () => {
    const token = aliceToken({ issuer: 'https://issuer.example', audience: 'balance-recon' });
    expect(verifyJwt(token, { key: KEY, now: at(NOW) }).sub).toBe('alice@example.com');
    expect(verifyJwt(token, { key: KEY, now: at(NOW), issuer: 'https://issuer.example', audience: 'balance-recon' }).sub).toBe(
      'alice@example.com',
    );
    expect(refusal(token, { issuer: 'https://other.example' }).problem).toBe('token issuer is not the expected one');
    expect(refusal(token, { audience: 'other-api' }).problem).toBe('token audience does not include the expected one');
    expect(refusal(aliceToken(), { issuer: 'https://issuer.example' }).problem).toBe('token issuer is not the expected one');
  });

  it('finds the audience in an aud array', () => {
    const token = signRaw(HS256, JSON.stringify({ ...validClaims, aud: ['other-api', 'balance-recon'] }));
    expect(verifyJwt(token, { key: KEY, now: at(NOW), audience: 'balance-recon' }).sub).toBe('alice@example.com');
  });

  it('refuses a token with critical header extensions it does not understand', () => {
    expect(refusal(signRaw(JSON.stringify({ alg: 'HS256', crit: ['b64'], b64: false }), JSON.stringify(validClaims))).problem).toMatch(
      /crit/,
    );
  });

  it('refuses any single-character change of a valid token', () => {
    const token = aliceToken();
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.=+/ é';
    fc.assert(
      fc.property(fc.nat(token.length - 1), fc.constantFrom(...alphabet), (index, replacement) => {
        fc.pre(token[index] !== replacement);
        const changed = `${token.slice(0, index)}${replacement}${token.slice(index + 1)}`;
        expect(() => verifyJwt(changed, { key: KEY, now: at(NOW) })).toThrow(UnauthorizedError);
      }),
      { numRuns: 2000 },
    );
  });

  it('never quotes the token in its error messages', () => {
    const token = aliceToken();
    const [header, payload, signature] = token.split('.') as [string, string, string];
    const refusals = [
      refusal(token, { key: 'another-key-of-at-least-thirty-two-chars' }),
      refusal(token, { now: secondsLater(7200) }),
      refusal(token, { audience: 'other-api' }),
      refusal(`${header}.${payload}`),
      refusal(`${header}.${payload}.${signature}x`),
      refusal(`${header}.${Buffer.from(`{"sub":"${token}"`).toString('base64url')}.${signature}`),
      refusal(signRaw(HS256, `{"sub": ${JSON.stringify(token)}`)),
      refusal(signRaw(JSON.stringify({ alg: token }), JSON.stringify(validClaims))),
      refusal(signRaw(HS256, JSON.stringify({ sub: token, exp: token }))),
    ];
    for (const error of refusals) {
      for (const text of [error.message, error.problem, String(error.cause ?? '')]) {
        expect(text).not.toContain(token);
        expect(text).not.toContain(signature);
        expect(text).not.toContain(payload);
      }
    }
  });
});

describe('signDevToken', () => {
  it('refuses a key shorter than 32 characters and a ttl that is not a positive whole number', () => {
    expect(() => aliceToken({ key: 'short' })).toThrow(/at least 32 characters/);
    expect(() => aliceToken({ ttlSeconds: 0 })).toThrow(/ttlSeconds/);
    expect(() => aliceToken({ ttlSeconds: 1.5 })).toThrow(/ttlSeconds/);
  });

  it('writes sub, the roles in cognito:groups (or the claim named), iat, exp, and iss and aud only when given', () => {
    const claims = (token: string) => JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8'));
    expect(claims(aliceToken())).toEqual({
      sub: 'alice@example.com',
      'cognito:groups': ['compliance'],
      iat: nowSeconds,
      exp: nowSeconds + 3600,
    });
    expect(claims(aliceToken({ rolesClaim: 'roles' }))).toMatchObject({ roles: ['compliance'] });
    expect(claims(aliceToken({ issuer: 'https://issuer.example', audience: 'balance-recon' }))).toMatchObject({
      iss: 'https://issuer.example',
      aud: 'balance-recon',
    });
  });
});
