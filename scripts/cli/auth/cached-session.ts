import { discover, refreshSession, SignInError } from './oidc-sign-in';
import { LOCAL_ISSUER, loadSession, saveSession, sessionFile } from './session-store';

/** A token this close to its expiry is refreshed first, so it does not expire on the way. */
const REFRESH_MARGIN_MS = 60_000;

/**
 * The bearer token of the cached session (`recon login`), refreshed with its refresh token — and
 * the refreshed session saved — when it expires within a minute; `undefined` when there is no
 * session, or an expired one that cannot be refreshed (then `notice` says to sign in again).
 * @throws {SignInError} when the issuer refuses the refresh.
 */
export async function cachedSessionToken(
  env: NodeJS.ProcessEnv,
  notice: (line: string) => void,
  now: () => number = () => Date.now(),
): Promise<string | undefined> {
  const file = sessionFile(env);
  const session = await loadSession(file);
  if (session === undefined) return undefined;
  if (Date.parse(session.expiresAt) - REFRESH_MARGIN_MS > now()) return session.token;
  if (session.issuer === LOCAL_ISSUER || session.refreshToken === undefined) {
    notice('the cached session has expired: run `recon login` again');
    return undefined;
  }
  try {
    const fresh = await refreshSession(await discover({ issuer: session.issuer, clientId: session.clientId, scope: '' }), session, now);
    await saveSession(file, fresh);
    return fresh.token;
  } catch (error) {
    if (!(error instanceof SignInError)) throw error;
    throw new SignInError(`${error.message} (run \`recon login\` again)`, { cause: error });
  }
}
