/**
 * Signing in to the organisation's OIDC issuer as a public client (no secret: a CLI keeps none),
 * with oauth4webapi: the device authorization grant (RFC 8628) when the issuer offers it, else the
 * authorization code with PKCE (RFC 7636) and a loopback redirect (RFC 8252 §7.3). Tokens are
 * turned into a {@link Session}, refreshed with the refresh token. Nothing here prints a token.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as oauth from 'oauth4webapi';
import { z } from 'zod';
import { ReconError } from '../../../lib/errors';
import { isLocalUrl } from '../settings';
import type { Session } from './session-store';

/** Thrown when signing in or refreshing fails: says what the issuer or the user did, never a token. */
export class SignInError extends ReconError {
  override readonly name = 'SignInError';
}

/** Which issuer and which public client: `AUTH_ISSUER_URL`, `RECON_CLIENT_ID`, `RECON_SCOPE`. */
export interface OidcSettings {
  issuer: string;
  clientId: string;
  scope: string;
}

/** The issuer's metadata and the client, ready for requests. */
export interface OidcClient {
  settings: OidcSettings;
  as: oauth.AuthorizationServer;
  client: oauth.Client;
  /** Plain HTTP is allowed for an issuer on this machine only (a local test issuer). */
  options: { [oauth.allowInsecureRequests]?: boolean };
}

/** How long a browser sign-in may take before the loopback listener gives up. */
const BROWSER_TIMEOUT_MS = 5 * 60 * 1000;

/** Reads the issuer's metadata (`/.well-known/openid-configuration`). @throws {SignInError} */
export async function discover(settings: OidcSettings): Promise<OidcClient> {
  const issuer = new URL(settings.issuer);
  const options = issuer.protocol === 'http:' && isLocalUrl(settings.issuer) ? { [oauth.allowInsecureRequests]: true } : {};
  try {
    const as = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, { algorithm: 'oidc', ...options }));
    return { settings, as, client: { client_id: settings.clientId }, options };
  } catch (error) {
    throw new SignInError(`cannot read the OIDC discovery document of ${settings.issuer}: ${reason(error)}`, { cause: error });
  }
}

/** Whether the issuer offers the device authorization grant (Cognito does not). */
export function offersDeviceFlow(oidc: OidcClient): boolean {
  return typeof oidc.as.device_authorization_endpoint === 'string';
}

/** Where the device flow and the browser flow tell the person what to do, and how they wait. */
export interface SignInIo {
  say: (line: string) => void;
  sleep: (ms: number) => Promise<void>;
}

/**
 * The device authorization grant: prints the verification URL and the user code, then polls the
 * token endpoint at the interval the issuer asks (slower on `slow_down`) until the person confirms,
 * refuses, or the code expires.
 * @throws {SignInError}
 */
export async function deviceSignIn(oidc: OidcClient, io: SignInIo, now = () => Date.now()): Promise<Session> {
  const { as, client, options, settings } = oidc;
  const device = await attempt('the device authorization request', async () =>
    oauth.processDeviceAuthorizationResponse(
      as,
      client,
      await oauth.deviceAuthorizationRequest(as, client, oauth.None(), { scope: settings.scope }, options),
    ),
  );
  io.say(`To sign in, open ${device.verification_uri} and enter the code ${device.user_code}`);
  if (device.verification_uri_complete) io.say(`(or open ${device.verification_uri_complete})`);
  io.say('Waiting for you to confirm…');
  let interval = (device.interval ?? 5) * 1000;
  const deadline = now() + device.expires_in * 1000;
  while (now() < deadline) {
    await io.sleep(interval);
    try {
      const response = await oauth.deviceCodeGrantRequest(as, client, oauth.None(), device.device_code, options);
      return sessionFrom(oidc, await oauth.processDeviceCodeResponse(as, client, response), now);
    } catch (error) {
      if (error instanceof oauth.ResponseBodyError && error.error === 'authorization_pending') continue;
      if (error instanceof oauth.ResponseBodyError && error.error === 'slow_down') {
        interval += 5000;
        continue;
      }
      throw new SignInError(`sign-in did not complete: ${reason(error)}`, { cause: error });
    }
  }
  throw new SignInError('the code expired before the sign-in was confirmed: run `recon login` again');
}

/**
 * The authorization code grant with PKCE and a loopback redirect: listens on
 * `http://127.0.0.1:<free port>/callback`, prints the authorization URL (it opens nothing itself),
 * and exchanges the code the browser brings back.
 * @throws {SignInError}
 */
export async function browserSignIn(
  oidc: OidcClient,
  io: SignInIo,
  { redirectUri, now = () => Date.now() }: { redirectUri?: URL | undefined; now?: () => number } = {},
): Promise<Session> {
  const { as, client, options, settings } = oidc;
  if (as.authorization_endpoint === undefined) throw new SignInError(`${settings.issuer} has no authorization endpoint`);
  const verifier = oauth.generateRandomCodeVerifier();
  const state = oauth.generateRandomState();
  const callback = await loopbackCallback(redirectUri);
  try {
    const url = new URL(as.authorization_endpoint);
    url.search = new URLSearchParams({
      client_id: settings.clientId,
      redirect_uri: callback.redirectUri,
      response_type: 'code',
      scope: settings.scope,
      code_challenge: await oauth.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
    }).toString();
    io.say(`To sign in, open this URL in a browser on this machine:\n${url.toString()}`);
    const answer = await callback.received;
    return await attempt('the sign-in', async () => {
      const params = oauth.validateAuthResponse(as, client, answer, state);
      const response = await oauth.authorizationCodeGrantRequest(as, client, oauth.None(), params, callback.redirectUri, verifier, options);
      return sessionFrom(oidc, await oauth.processAuthorizationCodeResponse(as, client, response), now);
    });
  } finally {
    callback.close();
  }
}

/** A fresh session from the refresh token, keeping the old refresh token when the issuer sends no new one. @throws {SignInError} */
export async function refreshSession(oidc: OidcClient, session: Session, now = () => Date.now()): Promise<Session> {
  const { as, client, options } = oidc;
  const refreshToken = session.refreshToken;
  if (refreshToken === undefined) throw new SignInError('the session has expired and cannot be refreshed: run `recon login`');
  const fresh = await attempt('refreshing the session', async () =>
    sessionFrom(
      oidc,
      await oauth.processRefreshTokenResponse(
        as,
        client,
        await oauth.refreshTokenGrantRequest(as, client, oauth.None(), refreshToken, options),
      ),
      now,
    ),
  );
  return { ...fresh, refreshToken: fresh.refreshToken ?? refreshToken };
}

const jwtClaims = z.looseObject({ exp: z.number(), sub: z.string().optional() });

/**
 * The session a token response gives. The bearer is the access token when it is a JWT (Cognito's,
 * which the API checks by `client_id`, or an RFC 9068 one with the API's `aud`), else the ID token
 * (whose `aud` is the client id).
 */
function sessionFrom(oidc: OidcClient, tokens: oauth.TokenEndpointResponse, now: () => number): Session {
  const access = claimsOf(tokens.access_token);
  const token = access ? tokens.access_token : tokens.id_token;
  const claims = access ?? claimsOf(tokens.id_token);
  if (token === undefined || claims === undefined) throw new SignInError('the issuer sent neither a JWT access token nor an ID token');
  const expiresAt = new Date(Math.min(claims.exp * 1000, tokens.expires_in ? now() + tokens.expires_in * 1000 : Number.POSITIVE_INFINITY));
  return {
    issuer: oidc.settings.issuer,
    clientId: oidc.settings.clientId,
    token,
    expiresAt: expiresAt.toISOString(),
    ...(tokens.refresh_token && { refreshToken: tokens.refresh_token }),
    ...(claims.sub && { sub: claims.sub }),
  };
}

/** A JWT's claims, read without verifying (the API verifies; this only learns `exp` and `sub`), or undefined for another token. */
function claimsOf(token: string | undefined): z.infer<typeof jwtClaims> | undefined {
  const payload = token?.split('.').length === 3 ? token.split('.')[1] : undefined;
  if (payload === undefined) return undefined;
  try {
    const claims = jwtClaims.safeParse(JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')));
    return claims.success ? claims.data : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A one-shot listener for the browser's redirect: on a free port of 127.0.0.1 at `/callback`, or
 * where a registered loopback redirect URI says (an issuer such as Cognito matches it exactly).
 */
async function loopbackCallback(registered?: URL): Promise<{ redirectUri: string; received: Promise<URL>; close: () => void }> {
  const host = registered?.hostname.replace(/^\[|\]$/g, '') ?? '127.0.0.1';
  const path = registered?.pathname ?? '/callback';
  let settle: { resolve: (url: URL) => void; reject: (error: Error) => void } | undefined;
  const received = new Promise<URL>((resolve, reject) => {
    settle = { resolve, reject };
  });
  const server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    if (url.pathname !== path) {
      response.writeHead(404).end();
      return;
    }
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    response.end('<!doctype html><title>recon</title><p>Signed in to recon: you may close this tab.</p>');
    settle?.resolve(url);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error) =>
      reject(new SignInError(`cannot listen on ${host}:${registered?.port ?? 0} for the redirect: ${error.message}`)),
    );
    server.listen(Number(registered?.port ?? 0), host, resolve);
  });
  const { port } = server.address() as AddressInfo;
  const timer = setTimeout(() => settle?.reject(new SignInError('no answer from the browser within 5 minutes')), BROWSER_TIMEOUT_MS);
  const close = () => {
    clearTimeout(timer);
    server.close();
  };
  return { redirectUri: registered?.toString() ?? `http://127.0.0.1:${port}${path}`, received, close };
}

async function attempt<T>(what: string, step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (error) {
    if (error instanceof SignInError) throw error;
    throw new SignInError(`${what} failed: ${reason(error)}`, { cause: error });
  }
}

/** What went wrong, from the issuer's OAuth error when there is one (its text never holds a token). */
function reason(error: unknown): string {
  if (error instanceof oauth.ResponseBodyError) return error.error_description ? `${error.error}: ${error.error_description}` : error.error;
  return error instanceof Error ? error.message : String(error);
}
