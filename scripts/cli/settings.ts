/**
 * Where the CLI sends its calls and with which token: `--api-url`, else `RECON_API_URL`, else the
 * local stack; `--token`, else `RECON_TOKEN`, else — only for an API on this machine — a short-lived
 * compliance token signed with the local dev key, exactly as `npm run token` would.
 */
import { existsSync, readFileSync } from 'node:fs';
import { parseEnv } from 'node:util';
import { type DevSignIn, devSignInFromEnv, issueDevToken } from '../../lib/auth/dev-sign-in';
import { ConfigError } from '../../lib/errors';
import { UsageError } from './errors';

/** The local stack's HTTP API (`npm start`). */
export const DEFAULT_API_URL = 'http://127.0.0.1:3000';
/** Who a locally signed token speaks for, unless `--as` or `RECON_USER` says otherwise. */
export const DEFAULT_LOCAL_USER = 'analyst@localhost';
/** The file `npm run token` and `sls offline` read the dev key from. */
export const ENV_FILE = '.env.local';
/** A locally signed token lives this long; a new one is signed for every call. */
const DEV_TOKEN_TTL_SECONDS = 300;

/** What the settings are read from. */
export interface SettingsInput {
  apiUrl?: string;
  token?: string;
  as?: string;
  env: NodeJS.ProcessEnv;
  /** The variables of `.env.local`, read only when a dev token is needed. */
  readEnvFile?: () => Record<string, string | undefined>;
}

/** Where to call, how to authenticate, and what a person should be told about it. */
export interface Settings {
  baseUrl: string;
  /** Whether the API runs on this machine: a dev token may be signed, `npm start` is the advice when it is down. */
  local: boolean;
  /** The bearer token for the next call. @throws {UsageError} when there is none to give. */
  token: () => string;
  /** Said on stderr once, e.g. that `--as` is ignored. */
  notices: string[];
}

/**
 * Reads the settings. A token that cannot be had (none given for a remote API, no dev key) is
 * reported when the first call asks for it, so a command's own flag errors come first. Nothing
 * here prints a token.
 * @throws {UsageError} for a malformed URL; from `token()`, when there is no token to give.
 */
export function readSettings(input: SettingsInput): Settings {
  const baseUrl = apiUrl(input.apiUrl ?? nonEmpty(input.env.RECON_API_URL) ?? DEFAULT_API_URL);
  const local = isLocalUrl(baseUrl);
  const given = nonEmpty(input.token) ?? nonEmpty(input.env.RECON_TOKEN);
  if (given !== undefined) {
    const notices = input.as !== undefined ? ['--as is ignored: the token given names its own subject'] : [];
    return { baseUrl, local, token: () => given, notices };
  }
  return { baseUrl, local, token: local ? devTokens(input) : refuse(noTokenFor(baseUrl)), notices: [] };
}

/** Signs a fresh short-lived token granting the act role for each call, with the local dev key, as `POST /dev/token` would. */
function devTokens(input: SettingsInput): () => string {
  const settings = { ...(input.readEnvFile ?? readEnvFile)(), ...definedOnly(input.env) };
  let signIn: DevSignIn | undefined;
  try {
    signIn = devSignInFromEnv(settings);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return refuse(error.problems.join('; '));
  }
  if (signIn === undefined) {
    return refuse(
      `no token: run \`recon login\`, pass --token <jwt>, set RECON_TOKEN, or set AUTH_DEV_KEY (in the environment or ${ENV_FILE}) to sign a local one`,
    );
  }
  const sub = nonEmpty(input.as) ?? nonEmpty(input.env.RECON_USER) ?? DEFAULT_LOCAL_USER;
  const ready = signIn;
  return () => issueDevToken(ready, { sub, access: 'act' }, { ttlSeconds: DEV_TOKEN_TTL_SECONDS }).token;
}

function noTokenFor(baseUrl: string): string {
  return `no token for ${baseUrl}: pass --token <jwt> or set RECON_TOKEN (a token is signed here only for a local API)`;
}

function refuse(problem: string): () => never {
  return () => {
    throw new UsageError([problem]);
  };
}

/** Whether a URL names this machine: `localhost`, `127.x.x.x` or `[::1]`. */
export function isLocalUrl(url: string): boolean {
  const host = new URL(url).hostname;
  return host === 'localhost' || host.endsWith('.localhost') || /^127\.\d+\.\d+\.\d+$/.test(host) || host === '[::1]';
}

function apiUrl(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UsageError([`RECON_API_URL / --api-url ${JSON.stringify(text)}: must be an http(s) URL, e.g. ${DEFAULT_API_URL}`]);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UsageError([`RECON_API_URL / --api-url ${JSON.stringify(text)}: must be an http(s) URL, e.g. ${DEFAULT_API_URL}`]);
  }
  if (url.username !== '' || url.password !== '' || url.search !== '' || url.hash !== '') {
    throw new UsageError(['RECON_API_URL / --api-url: must hold no credentials, query or fragment']);
  }
  return url.toString().replace(/\/+$/, '');
}

function readEnvFile(): Record<string, string | undefined> {
  return existsSync(ENV_FILE) ? parseEnv(readFileSync(ENV_FILE, 'utf8')) : {};
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value;
}

function definedOnly(env: NodeJS.ProcessEnv): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined && entry[1] !== ''));
}
