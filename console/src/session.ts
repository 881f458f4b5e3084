import { z } from 'zod';
import { type ConsoleConfig, devTokenAnswerSchema } from '../../lib/api/schemas';

/** Where the signed-in session lives: this tab only, gone when it closes (never localStorage). */
export const SESSION_KEY = 'recon.session';

/** A signed-in person: their bearer token, name, roles and when the token stops working. */
export const sessionSchema = devTokenAnswerSchema.extend({ idToken: z.string().optional() });
export type Session = z.infer<typeof sessionSchema>;

/** What the signed-in person may do: `act` includes `read`. */
export type Access = 'act' | 'read' | 'none';

/** The session kept in this tab, or undefined when there is none, it does not parse, or it has expired. */
export function loadSession(storage: Storage, now: Date): Session | undefined {
  const raw = storage.getItem(SESSION_KEY);
  if (!raw) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return undefined;
  }
  const session = sessionSchema.safeParse(parsed);
  if (!session.success || expired(session.data, now)) {
    storage.removeItem(SESSION_KEY);
    return undefined;
  }
  return session.data;
}

/** Keeps a session for this tab. */
export function saveSession(storage: Storage, session: Session): void {
  storage.setItem(SESSION_KEY, JSON.stringify(session));
}

/** Signs out: the token is forgotten. */
export function clearSession(storage: Storage): void {
  storage.removeItem(SESSION_KEY);
}

/** Whether the token has expired (an unreadable expiry counts as expired). */
export function expired(session: Session, now: Date): boolean {
  const at = Date.parse(session.expiresAt);
  return !Number.isFinite(at) || at <= now.getTime();
}

/**
 * What a session's roles allow, by the role names the service is configured with: the console only
 * offers what the API would accept (the API still decides).
 * @example accessOf(['compliance'], { read: 'compliance-read', act: 'compliance' }) // 'act'
 */
export function accessOf(roles: readonly string[], names: ConsoleConfig['roles']): Access {
  if (roles.includes(names.act)) return 'act';
  return roles.includes(names.read) ? 'read' : 'none';
}
