import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { UnauthorizedError } from '../errors';
import { Secret } from '../secret';
import { describeIssues } from '../zod-issues';
import { DEFAULT_ROLES_CLAIM } from './roles';

/** Clock skew tolerated on `exp`, `nbf` and `iat`, in seconds. */
export const CLOCK_LEEWAY_SECONDS = 30;

/** The shortest HS256 key accepted: 32 characters, so at least as many bits as the hash (RFC 7518 §3.2). */
export const MIN_KEY_LENGTH = 32;

/** An HMAC key: the text of `AUTH_DEV_KEY`, preferably held as a {@link Secret} so it never prints. */
export type HmacKey = Secret | string;

/** A longer "token" is refused before any decoding: no real one comes near it. */
const MAX_TOKEN_LENGTH = 8192;
const BASE64URL = /^[A-Za-z0-9_-]+$/;

/** Who a verified token speaks for: its `sub`, and every claim it carries (roles are read from one of them). */
export interface VerifiedClaims {
  sub: string;
  claims: Readonly<Record<string, unknown>>;
}

const numericDate = z.number({ error: 'must be a NumericDate (seconds since the epoch)' });
const tokenClaims = z.looseObject({
  sub: z.string({ error: 'is required' }).min(1, { error: 'is required' }),
  exp: numericDate,
  nbf: numericDate.optional(),
  iat: numericDate.optional(),
  iss: z.string().optional(),
  aud: z.union([z.string(), z.array(z.string())]).optional(),
});
const tokenHeader = z.object({ alg: z.unknown().optional(), crit: z.unknown().optional() });

/** How {@link verifyJwt} checks a token. */
export interface VerifyOptions {
  key: HmacKey;
  /** When set, `iss` must equal it. */
  issuer?: string | undefined;
  /** When set, `aud` (a string or an array) must contain it. */
  audience?: string | undefined;
  now?: () => Date;
}

/** What a verified token establishes. */
export interface VerifiedToken extends VerifiedClaims {
  expiresAt: Date;
}

/**
 * Verifies a compact JWS signed with HS256 and returns who it speaks for. Only `HS256` is
 * accepted (never `none`, never an algorithm the token chooses); the signature is compared in
 * constant time before any claim is read; `exp` is required, and `exp`, `nbf` and `iat` are
 * honoured with {@link CLOCK_LEEWAY_SECONDS} of skew.
 * @throws {UnauthorizedError} saying what is wrong, never quoting the token.
 * @example verifyJwt(token, { key: devKey, audience: 'balance-recon' }) // { sub: 'alice@example.com', claims: { sub, 'cognito:groups': ['compliance'], … }, expiresAt }
 */
export function verifyJwt(token: string, options: VerifyOptions): VerifiedToken {
  if (token.length > MAX_TOKEN_LENGTH) throw malformed(`longer than ${MAX_TOKEN_LENGTH} characters`);
  const parts = token.split('.');
  if (parts.length !== 3) throw malformed(`${parts.length} part${parts.length === 1 ? '' : 's'} instead of 3 (header.payload.signature)`);
  if (!parts.every((part) => BASE64URL.test(part))) throw malformed('a part is empty or not base64url');
  const [headerPart, payloadPart, signaturePart] = parts as [string, string, string];

  const header = tokenHeader.safeParse(decodeSegment(headerPart, 'header'));
  if (!header.success) throw malformed('the header is not a JSON object');
  if (header.data.alg !== 'HS256') throw new UnauthorizedError('token algorithm is not HS256 (the only one accepted)');
  if (header.data.crit !== undefined) throw new UnauthorizedError('token header has critical extensions ("crit"), which are not supported');

  const expected = hmac(`${headerPart}.${payloadPart}`, options.key);
  if (!sameText(signaturePart, expected)) throw new UnauthorizedError('token signature does not verify');

  const claims = tokenClaims.safeParse(decodeSegment(payloadPart, 'payload'));
  if (!claims.success) throw new UnauthorizedError(`token claims: ${describeIssues(claims.error).join('; ')}`);
  checkTimes(claims.data, options.now?.() ?? new Date());
  if (options.issuer !== undefined && claims.data.iss !== options.issuer)
    throw new UnauthorizedError('token issuer is not the expected one');
  if (options.audience !== undefined && !audiences(claims.data.aud).includes(options.audience)) {
    throw new UnauthorizedError('token audience does not include the expected one');
  }
  return { sub: claims.data.sub, claims: claims.data, expiresAt: new Date(claims.data.exp * 1000) };
}

/** What {@link signDevToken} puts in the token. */
export interface DevTokenRequest {
  sub: string;
  roles: readonly string[];
  /** The claim the roles are written to, as the functions read them (`AUTH_ROLES_CLAIM`); default `cognito:groups`. */
  rolesClaim?: string | undefined;
  ttlSeconds: number;
  key: HmacKey;
  issuer?: string | undefined;
  audience?: string | undefined;
  now?: () => Date;
}

/**
 * Signs an HS256 token with the local dev key, for `npm run token`, `npm start` and tests.
 * Deployed stages never see these: API Gateway verifies tokens against the issuer's keys.
 * The roles go to `rolesClaim` as a JSON array, the shape Cognito gives `cognito:groups`.
 * @example signDevToken({ sub: 'alice@example.com', roles: ['compliance'], ttlSeconds: 3600, key }) // 'eyJhbGciOiJIUzI1NiIs…'
 */
export function signDevToken({
  sub,
  roles,
  rolesClaim = DEFAULT_ROLES_CLAIM,
  ttlSeconds,
  key,
  issuer,
  audience,
  now = () => new Date(),
}: DevTokenRequest): string {
  if (!Number.isSafeInteger(ttlSeconds) || ttlSeconds <= 0) throw new RangeError('ttlSeconds must be a whole number above 0');
  if (reveal(key).length < MIN_KEY_LENGTH) throw new RangeError(`the key must be at least ${MIN_KEY_LENGTH} characters`);
  const iat = Math.floor(now().getTime() / 1000);
  const payload = {
    sub,
    [rolesClaim]: [...roles],
    iat,
    exp: iat + ttlSeconds,
    ...(issuer && { iss: issuer }),
    ...(audience && { aud: audience }),
  };
  const signingInput = `${encodeSegment({ alg: 'HS256', typ: 'JWT' })}.${encodeSegment(payload)}`;
  return `${signingInput}.${hmac(signingInput, key)}`;
}

function checkTimes(claims: z.infer<typeof tokenClaims>, now: Date): void {
  const seconds = now.getTime() / 1000;
  if (seconds >= claims.exp + CLOCK_LEEWAY_SECONDS) throw new UnauthorizedError('token has expired');
  if (claims.nbf !== undefined && seconds < claims.nbf - CLOCK_LEEWAY_SECONDS) throw new UnauthorizedError('token is not valid yet (nbf)');
  if (claims.iat !== undefined && seconds < claims.iat - CLOCK_LEEWAY_SECONDS)
    throw new UnauthorizedError('token is issued in the future (iat)');
}

function audiences(aud: string | string[] | undefined): string[] {
  return aud === undefined ? [] : typeof aud === 'string' ? [aud] : aud;
}

/** Decodes one base64url JSON segment; only the canonical encoding is accepted, so no two spellings carry the same bytes. */
function decodeSegment(segment: string, what: 'header' | 'payload'): unknown {
  const bytes = Buffer.from(segment, 'base64url');
  if (bytes.toString('base64url') !== segment) throw malformed(`the ${what} is not base64url`);
  try {
    return JSON.parse(bytes.toString('utf8'));
  } catch {
    // The parser's message quotes the text it choked on: part of the token, so it is not kept as the cause.
    throw malformed(`the ${what} is not JSON`);
  }
}

function encodeSegment(value: unknown): string {
  return Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');
}

function hmac(signingInput: string, key: HmacKey): string {
  return createHmac('sha256', reveal(key)).update(signingInput, 'utf8').digest('base64url');
}

/**
 * Constant-time comparison of the signature as written with the one expected. Comparing the
 * text, not the decoded bytes, refuses the spellings base64url's spare bits would allow.
 */
function sameText(actual: string, expected: string): boolean {
  const a = Buffer.from(actual, 'utf8');
  const b = Buffer.from(expected, 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}

function reveal(key: HmacKey): string {
  return key instanceof Secret ? key.reveal() : key;
}

function malformed(problem: string): UnauthorizedError {
  return new UnauthorizedError(`token is malformed: ${problem}`);
}
