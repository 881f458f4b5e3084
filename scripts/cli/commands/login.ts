/**
 * `recon login` and `recon logout`: sign in once, and every later command uses the cached session
 * (scripts/cli/auth/). With the organisation's issuer (`AUTH_ISSUER_URL`, `RECON_CLIENT_ID`): the
 * device flow when the issuer offers it, else (or with `--browser`) the browser flow with PKCE.
 * With `--local`: a token from the local API's `POST /dev/token`. The token is never printed.
 */
import { devTokenAnswerSchema } from '../../../lib/api/schemas';
import { browserSignIn, deviceSignIn, discover, offersDeviceFlow, SignInError } from '../auth/oidc-sign-in';
import { deleteSession, LOCAL_ISSUER, type Session, saveSession, sessionFile } from '../auth/session-store';
import type { ExitCode } from '../context';
import { UsageError } from '../errors';
import { apiUrlOf, DEFAULT_LOCAL_USER } from '../settings';

/** The scope asked for unless `RECON_SCOPE` says otherwise. */
export const DEFAULT_SCOPE = 'openid';

/** `login`'s flags. */
export interface LoginFlags {
  browser?: boolean;
  local?: boolean;
  read?: boolean;
  redirectUri?: string;
  as?: string;
  apiUrl?: string;
}

/** What `login` and `logout` need: the environment, where to talk to the person, how to wait. */
export interface LoginIo {
  env: NodeJS.ProcessEnv;
  say: (line: string) => void;
  sleep?: (ms: number) => Promise<void>;
}

/** Signs in and caches the session; says who is signed in until when, and where the session is kept. */
export async function loginCommand(io: LoginIo, flags: LoginFlags): Promise<ExitCode> {
  const session = flags.local ? await localSignIn(io.env, flags) : await issuerSignIn(io, flags);
  const file = sessionFile(io.env);
  await saveSession(file, session);
  io.say(`signed in${session.sub ? ` as ${session.sub}` : ''} until ${session.expiresAt} (session kept in ${file}, mode 0600)`);
  return 0;
}

/** Deletes the cached session. */
export async function logoutCommand(io: LoginIo): Promise<ExitCode> {
  const file = sessionFile(io.env);
  io.say((await deleteSession(file)) ? `signed out (deleted ${file})` : 'not signed in: there was no session to delete');
  return 0;
}

async function issuerSignIn(io: LoginIo, flags: LoginFlags): Promise<Session> {
  const issuer = io.env.AUTH_ISSUER_URL?.trim();
  const clientId = io.env.RECON_CLIENT_ID?.trim();
  const missing = [
    ...(issuer ? [] : ['AUTH_ISSUER_URL is not set: the OIDC issuer to sign in with (or use `recon login --local` for the local stack)']),
    ...(clientId ? [] : ['RECON_CLIENT_ID is not set: the public app client of the CLI (docs/deploy.md)']),
  ];
  if (!issuer || !clientId) throw new UsageError(missing);
  const oidc = await discover({ issuer, clientId, scope: io.env.RECON_SCOPE?.trim() || DEFAULT_SCOPE });
  const signInIo = { say: io.say, sleep: io.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))) };
  if (!flags.browser && offersDeviceFlow(oidc)) return deviceSignIn(oidc, signInIo);
  if (!flags.browser) io.say(`${issuer} offers no device flow: signing in through the browser`);
  return browserSignIn(oidc, signInIo, { redirectUri: loopbackRedirect(flags.redirectUri) });
}

/** `--redirect-uri`: a loopback http URL with a port, as registered with the issuer. @throws {UsageError} */
function loopbackRedirect(text: string | undefined): URL | undefined {
  if (text === undefined) return undefined;
  const url = URL.canParse(text) ? new URL(text) : undefined;
  if (url?.protocol !== 'http:' || url.port === '' || !['localhost', '127.0.0.1', '[::1]'].includes(url.hostname) || url.search !== '') {
    throw new UsageError([
      `--redirect-uri ${JSON.stringify(text)}: must be http://localhost:<port>/<path> (or 127.0.0.1, [::1]), no query`,
    ]);
  }
  return url;
}

/** A token from the local API's dev sign-in (`POST /dev/token`), for `--as` (or `RECON_USER`) with the act or read role. */
async function localSignIn(env: NodeJS.ProcessEnv, flags: LoginFlags): Promise<Session> {
  const baseUrl = apiUrlOf(flags.apiUrl, env);
  const sub = flags.as?.trim() || env.RECON_USER?.trim() || DEFAULT_LOCAL_USER;
  let response: Response;
  try {
    response = await fetch(`${baseUrl}/dev/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ sub, access: flags.read ? 'read' : 'act' }),
      redirect: 'error',
      signal: AbortSignal.timeout(30_000),
    });
  } catch (error) {
    throw new SignInError(`cannot reach ${baseUrl}/dev/token: is the local stack running (\`npm start\`)?`, { cause: error });
  }
  if (response.status === 404) throw new SignInError(`${baseUrl} has no local sign-in (POST /dev/token answers 404: no AUTH_DEV_KEY)`);
  if (!response.ok) throw new SignInError(`POST ${baseUrl}/dev/token answered ${response.status}: ${await response.text()}`);
  const answer = devTokenAnswerSchema.safeParse(await response.json());
  if (!answer.success) throw new SignInError(`POST ${baseUrl}/dev/token answered an unexpected body`);
  const { token, expiresAt } = answer.data;
  return { issuer: LOCAL_ISSUER, clientId: baseUrl, token, expiresAt, sub: answer.data.sub };
}
