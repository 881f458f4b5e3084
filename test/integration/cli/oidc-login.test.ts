import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportJWK, generateKeyPair } from 'jose';
import Provider from 'oidc-provider';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { issuerVerifier } from '../../../lib/auth/issuer-verifier';
import { cachedSessionToken } from '../../../scripts/cli/auth/cached-session';
import { loadSession, sessionFile } from '../../../scripts/cli/auth/session-store';
import { loginCommand, logoutCommand } from '../../../scripts/cli/commands/login';

/** What API Gateway's authorizer and the functions expect in a token (AUTH_JWT_AUDIENCE). */
const AUDIENCE = 'balance-recon';
const CLIENT_ID = 'recon-cli';
const DEVICE_CODE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';

let server: Server;
let issuer: string;
let browser: Browser;
let configHome: string;

/**
 * A real OIDC provider (oidc-provider) on a free loopback port, with its own development login and
 * consent pages: a public client allowed the device flow, the code flow with PKCE and refresh
 * tokens; access tokens are JWTs for the API (`aud` balance-recon) carrying the act role, as a
 * Cognito user pool's group would.
 */
beforeAll(async () => {
  server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: CLIENT_ID,
        application_type: 'native',
        token_endpoint_auth_method: 'none',
        grant_types: [DEVICE_CODE_GRANT, 'authorization_code', 'refresh_token'],
        response_types: ['code'],
        redirect_uris: ['http://127.0.0.1/callback'],
      },
    ],
    jwks: { keys: [{ ...(await exportJWK(privateKey)), kid: 'test-key', alg: 'RS256', use: 'sig' }] },
    cookies: { keys: ['a-cookie-signing-key-for-tests-only'] },
    scopes: ['openid', 'offline_access', 'recon'],
    features: {
      devInteractions: { enabled: true },
      deviceFlow: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => 'https://api.recon.test',
        useGrantedResource: () => true,
        getResourceServerInfo: () => ({ scope: 'recon', audience: AUDIENCE, accessTokenFormat: 'jwt', jwt: { sign: { alg: 'RS256' } } }),
      },
    },
    issueRefreshToken: () => true,
    findAccount: (_context: unknown, sub: string) => ({ accountId: sub, claims: () => ({ sub }) }),
    ttl: { AccessToken: 600, IdToken: 600, RefreshToken: 3600, DeviceCode: 600, Interaction: 600, Session: 3600, Grant: 3600 },
    extraTokenClaims: () => ({ 'cognito:groups': ['compliance'] }),
  });
  server.on('request', provider.callback());
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await new Promise((resolve) => server?.close(resolve));
});

beforeEach(async () => {
  configHome = await mkdtemp(join(tmpdir(), 'recon-login-'));
  return () => rm(configHome, { recursive: true, force: true });
});

const env = (extra: Record<string, string> = {}) => ({
  XDG_CONFIG_HOME: configHome,
  AUTH_ISSUER_URL: issuer,
  RECON_CLIENT_ID: CLIENT_ID,
  RECON_SCOPE: 'openid recon',
  ...extra,
});

/** The API's own check of a token: aws-jwt-verify against the provider's JWKS. */
const verify = (token: string) =>
  issuerVerifier({
    issuerUrl: issuer,
    audience: AUDIENCE,
    jwksUri: `${issuer}/jwks`,
    fetcher: { fetch: async (uri) => (await fetch(uri)).arrayBuffer() },
  })(token);

/** A new browser page that reaches this machine only (the provider's pages ask for web fonts). */
async function localPage(): Promise<Page> {
  const page = await browser.newPage();
  await page.route(/^https?:\/\/(?!127\.0\.0\.1)/, (route) => route.abort());
  return page;
}

/** A port nothing listens on (the CLI is told to listen there, as for an issuer that registered it). */
async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

/** Signs in on the provider's development pages as `login`, and consents. */
async function signInAndConsent(page: Page, login: string): Promise<void> {
  await page.locator('input[name="login"]').fill(login);
  await page.locator('input[name="password"]').fill('any password');
  await page.getByRole('button', { name: 'Sign-in' }).click();
  await page.getByRole('button', { name: 'Continue' }).click();
}

/** Runs `recon login` in this process, handing the first URL it prints to `person`; what it said. */
async function login(flags: { browser?: boolean; redirectUri?: string }, person: (url: string) => Promise<void>): Promise<string[]> {
  const said: string[] = [];
  let acting: Promise<void> | undefined;
  const say = (line: string) => {
    said.push(line);
    const url = /(http:\/\/\S+)/.exec(line.split('\n').at(-1) ?? '')?.[1];
    if (url && acting === undefined && (flags.browser || line.startsWith('(or open'))) acting = person(url);
  };
  const fast = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms / 20));
  expect(await loginCommand({ env: env(), say, sleep: fast }, flags)).toBe(0);
  await acting;
  return said;
}

describe('recon login against a real OIDC provider', () => {
  it('signs in with the device flow, confirmed on the provider’s pages, and caches a session the API accepts', async () => {
    const said = await login({}, async (url) => {
      const page = await localPage();
      await page.goto(url);
      await page.getByRole('button', { name: 'Continue' }).click();
      await signInAndConsent(page, 'bob@example.com');
      await page.getByText(/Sign-in Success/i).waitFor();
      await page.close();
    });
    expect(said[0]).toMatch(new RegExp(`^To sign in, open ${issuer}/device and enter the code \\S+`));

    const file = sessionFile({ XDG_CONFIG_HOME: configHome });
    expect(file).toBe(join(configHome, 'balance-recon', 'session.json'));
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    const session = await loadSession(file);
    if (!session) throw new Error('no session cached');
    expect(session).toMatchObject({ issuer, clientId: CLIENT_ID, sub: 'bob@example.com' });
    expect(session.refreshToken).toBeDefined();
    const verified = await verify(session.token);
    expect(verified).toMatchObject({ sub: 'bob@example.com', claims: { 'cognito:groups': ['compliance'] } });
    expect(said.join('\n')).not.toContain(session.token);
    expect(await cachedSessionToken(env(), () => {})).toBe(session.token);
  }, 60_000);

  it('signs in through the browser with PKCE on the registered loopback redirect, refreshes an expired session, and logs out', async () => {
    const redirectUri = `http://127.0.0.1:${await freePort()}/callback`;
    const said = await login({ browser: true, redirectUri }, async (url) => {
      expect(new URL(url).searchParams.get('code_challenge_method')).toBe('S256');
      expect(new URL(url).searchParams.get('redirect_uri')).toBe(redirectUri);
      const page = await localPage();
      await page.goto(url);
      await signInAndConsent(page, 'carol@example.com');
      await page.getByText('Signed in to recon').waitFor();
      await page.close();
    });
    const file = sessionFile({ XDG_CONFIG_HOME: configHome });
    const first = await loadSession(file);
    if (!first) throw new Error('no session cached');
    expect((await verify(first.token)).sub).toBe('carol@example.com');
    expect(said.join('\n')).not.toContain(first.token);

    // Expired: the next command refreshes it with the refresh token and caches the new one.
    await writeFile(file, JSON.stringify({ ...first, expiresAt: new Date(Date.now() - 1000).toISOString() }), { mode: 0o600 });
    const refreshed = await cachedSessionToken(env(), () => {});
    expect(refreshed).toBeDefined();
    expect(refreshed).not.toBe(first.token);
    expect((await verify(refreshed ?? '')).sub).toBe('carol@example.com');
    expect((await loadSession(file))?.token).toBe(refreshed);

    const bye: string[] = [];
    await logoutCommand({ env: env(), say: (line) => bye.push(line) });
    expect(bye).toEqual([`signed out (deleted ${file})`]);
    await expect(readFile(file)).rejects.toMatchObject({ code: 'ENOENT' });
    expect(await cachedSessionToken(env(), () => {})).toBeUndefined();
  }, 60_000);
});
