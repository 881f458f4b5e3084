import type { MiddlewareObj } from '@middy/core';
import type { Fetcher } from 'aws-jwt-verify/https';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { z } from 'zod';
import { type Caller, type CallerOptions, callerFrom } from '../auth/caller';
import { issuerVerifier, type TokenVerifier } from '../auth/issuer-verifier';
import { type HmacKey, MIN_KEY_LENGTH, verifyJwt } from '../auth/jwt';
import { type Access, DEFAULT_ROLE_POLICY, type RolePolicy, requireAccess } from '../auth/roles';
import { ConfigError } from '../errors';
import { Secret } from '../secret';
import { formatPath } from '../zod-issues';

/** An HTTP API event whose caller has been authenticated and holds the access the function needs. */
export type AuthorizedHttpEvent = APIGatewayProxyEventV2 & { caller: Caller };

/** What {@link authorize} requires of a request. */
export interface AuthorizeOptions {
  /** What the function lets its caller do: `read` (the read or act role) or `act` (the act role). */
  access: Access;
  env?: NodeJS.ProcessEnv;
  now?: () => Date;
  /** How the issuer's JWKS is fetched (HTTPS by default; tests serve one over HTTP). */
  fetcher?: Fetcher;
}

const optional = <T extends z.ZodType>(schema: T) => z.preprocess((value) => (value === '' ? undefined : value), schema.optional());
const named = (fallback: string) => optional(z.string().trim().min(1)).transform((value) => value ?? fallback);

/** The variables authorization reads; documented in the README's configuration table. */
const authEnvironment = z.object({
  AUTH_DEV_KEY: optional(
    z
      .string()
      .min(MIN_KEY_LENGTH, { error: `must be at least ${MIN_KEY_LENGTH} characters` })
      .transform((value) => new Secret(value)),
  ),
  AUTH_ISSUER: optional(z.string()),
  AUTH_AUDIENCE: optional(z.string()),
  AUTH_ISSUER_URL: optional(z.url({ protocol: /^https$/, error: 'must be an https URL' })),
  AUTH_JWT_AUDIENCE: optional(z.string()),
  AUTH_JWKS_URI: optional(z.url({ protocol: /^https$/, error: 'must be an https URL' })),
  AUTH_ROLES_CLAIM: named(DEFAULT_ROLE_POLICY.claim),
  AUTH_READ_ROLE: named(DEFAULT_ROLE_POLICY.readRole),
  AUTH_ACT_ROLE: named(DEFAULT_ROLE_POLICY.actRole),
});
type AuthEnvironment = z.infer<typeof authEnvironment>;

/** How a function authorizes its callers, as the environment configures it. */
export interface AuthSettings extends CallerOptions {
  policy: RolePolicy;
}

/**
 * How the caller's token is verified and which roles grant what, read from the environment: the
 * dev key when `AUTH_DEV_KEY` is set (the local stage only), else the issuer's JWKS.
 * @throws {ConfigError} naming a malformed or missing variable (never its value).
 */
export function authSettingsFromEnv(env: NodeJS.ProcessEnv, extra: { now?: () => Date; fetcher?: Fetcher } = {}): AuthSettings {
  const result = authEnvironment.safeParse(env);
  if (!result.success) throw new ConfigError(result.error.issues.map((issue) => `${formatPath(issue.path)} ${issue.message}`));
  const settings = result.data;
  return {
    verify: tokenVerifier(settings, extra),
    rolesClaim: settings.AUTH_ROLES_CLAIM,
    policy: { claim: settings.AUTH_ROLES_CLAIM, readRole: settings.AUTH_READ_ROLE, actRole: settings.AUTH_ACT_ROLE },
  };
}

function tokenVerifier(settings: AuthEnvironment, extra: { now?: () => Date; fetcher?: Fetcher }): TokenVerifier | undefined {
  if (settings.AUTH_DEV_KEY !== undefined) return devKeyVerifier(settings.AUTH_DEV_KEY, settings, extra.now);
  if (settings.AUTH_ISSUER_URL === undefined) return undefined;
  if (settings.AUTH_JWT_AUDIENCE === undefined) throw new ConfigError(['AUTH_JWT_AUDIENCE is required with AUTH_ISSUER_URL']);
  return issuerVerifier({
    issuerUrl: settings.AUTH_ISSUER_URL,
    audience: settings.AUTH_JWT_AUDIENCE,
    jwksUri: settings.AUTH_JWKS_URI,
    ...(extra.fetcher && { fetcher: extra.fetcher }),
  });
}

function devKeyVerifier(key: HmacKey, settings: AuthEnvironment, now: (() => Date) | undefined): TokenVerifier {
  return async (token) => verifyJwt(token, { key, issuer: settings.AUTH_ISSUER, audience: settings.AUTH_AUDIENCE, now });
}

/**
 * Lets an HTTP request through only with a token verified here that grants `access`, and puts
 * its {@link Caller} on the event (`event.caller`) so the action is recorded under the token's
 * `sub`. Use it before body parsing: an unauthenticated caller learns nothing about the body's
 * schema. The environment is read on the first request, so a bad variable is a logged 500, not a
 * failed cold start; the issuer's keys are then cached for the container's life.
 * @throws {UnauthorizedError} without a valid token (401).
 * @throws {ForbiddenError} when the token's roles do not grant `access` (403).
 */
export function authorize({ access, env = process.env, now, fetcher }: AuthorizeOptions): MiddlewareObj<unknown> {
  let settings: AuthSettings | undefined;
  return {
    name: 'authorize',
    before: async (request) => {
      settings ??= authSettingsFromEnv(env, { ...(now && { now }), ...(fetcher && { fetcher }) });
      // Only ever used on HTTP API routes; callerFrom parses the parts it reads.
      const event = request.event as APIGatewayProxyEventV2;
      const caller = requireAccess(await callerFrom(event, settings), access, settings.policy);
      request.event = { ...event, caller } satisfies AuthorizedHttpEvent;
    },
  };
}
