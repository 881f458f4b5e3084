import { z } from 'zod';
import { ConfigError } from '../errors';
import { Secret } from '../secret';
import { formatPath } from '../zod-issues';
import { type HmacKey, MIN_KEY_LENGTH, signDevToken } from './jwt';
import { type Access, DEFAULT_ROLE_POLICY } from './roles';

/** How long a token from `POST /dev/token` lives: a working day, so the console's local sign-in lasts. */
export const DEV_SIGN_IN_TTL_SECONDS = 8 * 60 * 60;

const optional = <T extends z.ZodType>(schema: T) => z.preprocess((value) => (value === '' ? undefined : value), schema.optional());
const named = (fallback: string) => optional(z.string().trim().min(1)).transform((value) => value ?? fallback);

/** The variables a local sign-in reads: the same ones, with the same defaults, as the functions' token check. */
const devSignInEnvironment = z.object({
  AUTH_DEV_KEY: optional(z.string().min(MIN_KEY_LENGTH, { error: `must be at least ${MIN_KEY_LENGTH} characters` })),
  AUTH_ISSUER: optional(z.string()),
  AUTH_AUDIENCE: optional(z.string()),
  AUTH_ROLES_CLAIM: named(DEFAULT_ROLE_POLICY.claim),
  AUTH_READ_ROLE: named(DEFAULT_ROLE_POLICY.readRole),
  AUTH_ACT_ROLE: named(DEFAULT_ROLE_POLICY.actRole),
});

/** What signing a local token needs: the dev key, and the claims the local functions check. */
export interface DevSignIn {
  key: HmacKey;
  rolesClaim: string;
  readRole: string;
  actRole: string;
  issuer: string | undefined;
  audience: string | undefined;
}

/**
 * The local sign-in as the environment configures it, or `undefined` without `AUTH_DEV_KEY` (every
 * deployed stage: serverless.yml gives it `""` there and infra/guard-plugin.js refuses any other
 * value). One reading for `POST /dev/token` and the CLI, so both sign what the functions accept.
 * @throws {ConfigError} naming a malformed variable (a dev key that is too short), never its value.
 */
export function devSignInFromEnv(env: Readonly<Record<string, string | undefined>>): DevSignIn | undefined {
  const result = devSignInEnvironment.safeParse(env);
  if (!result.success) throw new ConfigError(result.error.issues.map((issue) => `${formatPath(issue.path)} ${issue.message}`));
  const settings = result.data;
  if (settings.AUTH_DEV_KEY === undefined) return undefined;
  return {
    key: new Secret(settings.AUTH_DEV_KEY),
    rolesClaim: settings.AUTH_ROLES_CLAIM,
    readRole: settings.AUTH_READ_ROLE,
    actRole: settings.AUTH_ACT_ROLE,
    issuer: settings.AUTH_ISSUER,
    audience: settings.AUTH_AUDIENCE,
  };
}

/** Who a local token is for and what it lets them do. */
export interface DevSignInRequest {
  sub: string;
  access: Access;
}

/** A signed local token with what it grants: the `POST /dev/token` answer. */
export interface DevSignInToken {
  token: string;
  sub: string;
  roles: string[];
  expiresAt: string;
}

/**
 * Signs a local token granting `access`: the act role (which implies read) or the read role only.
 * @example issueDevToken(signIn, { sub: 'bob', access: 'read' }, { ttlSeconds: 300 }) // { token: 'eyJ…', sub: 'bob', roles: ['compliance-read'], expiresAt: '…' }
 */
export function issueDevToken(
  signIn: DevSignIn,
  { sub, access }: DevSignInRequest,
  { ttlSeconds = DEV_SIGN_IN_TTL_SECONDS, now = () => new Date() }: { ttlSeconds?: number; now?: () => Date } = {},
): DevSignInToken {
  const roles = [access === 'act' ? signIn.actRole : signIn.readRole];
  const issuedAt = now();
  const { key, rolesClaim, issuer, audience } = signIn;
  const token = signDevToken({ sub, roles, rolesClaim, ttlSeconds, key, issuer, audience, now: () => issuedAt });
  const expiresAt = new Date(Math.floor(issuedAt.getTime() / 1000) * 1000 + ttlSeconds * 1000).toISOString();
  return { token, sub, roles, expiresAt };
}
