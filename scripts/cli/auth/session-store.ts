/**
 * The signed-in session `recon login` leaves behind: one file, `session.json` under
 * `$XDG_CONFIG_HOME/balance-recon/` (default `~/.config/balance-recon/`), readable by its owner only
 * (0600, in a 0700 directory), written whole or not at all (a temporary file renamed into place).
 */
import { chmod, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { z } from 'zod';

/** The issuer of a session signed locally by `POST /dev/token`: it has no refresh token. */
export const LOCAL_ISSUER = 'local-dev-key';

const sessionSchema = z.object({
  /** The OIDC issuer, or {@link LOCAL_ISSUER}. */
  issuer: z.string().min(1),
  clientId: z.string().min(1),
  /** The bearer token the API accepts (a JWT access token, else the ID token). */
  token: z.string().min(1),
  expiresAt: z.iso.datetime({ offset: true }),
  refreshToken: z.string().min(1).optional(),
  /** Who signed in, when the token says: shown by `login`, never needed to call. */
  sub: z.string().optional(),
});

/** A cached sign-in. Its tokens are credentials: never printed, never logged. */
export type Session = z.infer<typeof sessionSchema>;

/** Where the session lives: `$XDG_CONFIG_HOME/balance-recon/session.json`, or under `~/.config` without it. */
export function sessionFile(env: NodeJS.ProcessEnv): string {
  const config = env.XDG_CONFIG_HOME?.trim() ? env.XDG_CONFIG_HOME : join(env.HOME?.trim() ? env.HOME : homedir(), '.config');
  return join(config, 'balance-recon', 'session.json');
}

/**
 * The cached session, or `undefined` when there is none. A file that is not a session (edited by
 * hand, an older shape) counts as none: signing in again replaces it.
 */
export async function loadSession(file: string): Promise<Session | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if (error instanceof Error && 'code' in error && error.code === 'ENOENT') return undefined;
    throw error;
  }
  try {
    const parsed = sessionSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** Writes the session readable by its owner only, replacing any other at once. */
export async function saveSession(file: string, session: Session): Promise<void> {
  await mkdir(dirname(file), { recursive: true, mode: 0o700 });
  const temporary = `${file}.${process.pid}.tmp`;
  await writeFile(temporary, `${JSON.stringify(sessionSchema.parse(session), null, 2)}\n`, { mode: 0o600 });
  // The mode given to writeFile is filtered by the umask; a session must never be group- or world-readable.
  await chmod(temporary, 0o600);
  await rename(temporary, file);
}

/** Deletes the session; whether there was one. */
export async function deleteSession(file: string): Promise<boolean> {
  try {
    await rm(file);
    return true;
  } catch (error) {
    if (error instanceof Error && 'code' in error && error.code === 'ENOENT') return false;
    throw error;
  }
}
