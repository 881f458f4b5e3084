import * as oauth from 'oauth4webapi';
import { z } from 'zod';
import type { ConsoleConfig } from '../../lib/api/schemas';
import type { Session } from './session';

/** Where the sign-in in flight keeps its PKCE verifier, state and nonce until the issuer sends the browser back. */
const PENDING_KEY = 'recon.oidc';
const pendingSchema = z.strictObject({ verifier: z.string(), state: z.string(), nonce: z.string() });

/** The issuer's settings the console signs in with (config.json's `oidc`). */
export type OidcSettings = NonNullable<ConsoleConfig['oidc']>;

/** The console's own address without its hash or query: where the issuer sends the browser back. */
export function redirectUri(location: Pick<Location, 'origin' | 'pathname'>): string {
  return `${location.origin}${location.pathname}`;
}

/**
 * The PKCE pair of one sign-in (RFC 7636, S256): the verifier stays in this tab, the challenge goes to the issuer.
 * @example const { verifier, challenge } = await pkcePair() // challenge = BASE64URL(SHA-256(verifier))
 */
export async function pkcePair(): Promise<{ verifier: string; challenge: string }> {
  const verifier = oauth.generateRandomCodeVerifier();
  return { verifier, challenge: await oauth.calculatePKCECodeChallenge(verifier) };
}

async function discover(settings: OidcSettings): Promise<oauth.AuthorizationServer> {
  const issuer = new URL(settings.issuer);
  return oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, { algorithm: 'oidc' }));
}

/** Starts the authorization code flow with PKCE: the browser leaves for the issuer's sign-in page. */
export async function beginSignIn(settings: OidcSettings, storage: Storage, location: Location): Promise<void> {
  const server = await discover(settings);
  if (!server.authorization_endpoint) throw new Error('The issuer names no authorization endpoint');
  const { verifier, challenge } = await pkcePair();
  const pending = { verifier, state: oauth.generateRandomState(), nonce: oauth.generateRandomNonce() };
  storage.setItem(PENDING_KEY, JSON.stringify(pending));
  const url = new URL(server.authorization_endpoint);
  url.search = new URLSearchParams({
    client_id: settings.clientId,
    redirect_uri: redirectUri(location),
    response_type: 'code',
    scope: settings.scope,
    code_challenge: challenge,
    code_challenge_method: 'S256',
    state: pending.state,
    nonce: pending.nonce,
  }).toString();
  location.assign(url.href);
}

/** Whether this page load is the issuer sending the browser back (`?code=…&state=…` or `?error=…`). */
export function isCallback(search: string): boolean {
  const params = new URLSearchParams(search);
  return params.has('state') && (params.has('code') || params.has('error'));
}

/**
 * Finishes the flow on the way back: checks the state, trades the code and the verifier for tokens
 * at the token endpoint, checks the ID token's nonce, and makes the session from the access token.
 */
export async function completeSignIn(settings: OidcSettings, storage: Storage, currentUrl: URL, now: Date): Promise<Session> {
  const raw = storage.getItem(PENDING_KEY);
  storage.removeItem(PENDING_KEY);
  const pending = pendingSchema.safeParse(raw ? JSON.parse(raw) : undefined);
  if (!pending.success) throw new Error('No sign-in was in progress in this tab: sign in again');
  const server = await discover(settings);
  const client: oauth.Client = { client_id: settings.clientId };
  const params = oauth.validateAuthResponse(server, client, currentUrl, pending.data.state);
  const redirect = redirectUri({ origin: currentUrl.origin, pathname: currentUrl.pathname });
  const response = await oauth.authorizationCodeGrantRequest(server, client, oauth.None(), params, redirect, pending.data.verifier);
  const tokens = await oauth.processAuthorizationCodeResponse(server, client, response, { expectedNonce: pending.data.nonce });
  const claims = jwtClaims(tokens.access_token);
  const idClaims = oauth.getValidatedIdTokenClaims(tokens);
  return {
    token: tokens.access_token,
    sub: String(idClaims?.sub ?? claims.sub ?? 'unknown'),
    roles: rolesOf(claims, settings.rolesClaim ?? 'cognito:groups'),
    expiresAt: new Date(now.getTime() + (tokens.expires_in ?? 3600) * 1000).toISOString(),
    ...(tokens.id_token && { idToken: tokens.id_token }),
  };
}

const claimsSchema = z.looseObject({ sub: z.string().optional() });

/**
 * A JWT's payload, read without verifying it: only to show the name and offer what the roles allow.
 * The API verifies every token itself; a forged claim here gains nothing.
 */
export function jwtClaims(token: string): z.infer<typeof claimsSchema> {
  const payload = token.split('.')[1];
  if (!payload) return {};
  try {
    const json = atob(payload.replaceAll('-', '+').replaceAll('_', '/'));
    const parsed = claimsSchema.safeParse(JSON.parse(json));
    return parsed.success ? parsed.data : {};
  } catch {
    return {};
  }
}

/**
 * The roles a token's claim holds: a list, or one space-separated string.
 * @example rolesOf({ 'cognito:groups': ['compliance'] }, 'cognito:groups') // ['compliance']
 */
export function rolesOf(claims: Record<string, unknown>, claim: string): string[] {
  const value = claims[claim];
  if (typeof value === 'string') return value.split(/\s+/).filter((role) => role !== '');
  const list = z.array(z.string()).safeParse(value);
  return list.success ? list.data : [];
}
