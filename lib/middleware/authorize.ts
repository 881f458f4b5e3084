import type { MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { z } from 'zod';
import { type Caller, type CallerOptions, callerFrom, requireRole } from '../auth/caller';
import { MIN_KEY_LENGTH } from '../auth/jwt';
import { ConfigError } from '../errors';
import { Secret } from '../secret';
import { formatPath } from '../zod-issues';

/** An HTTP API event whose caller has been authenticated and holds the required role. */
export type AuthorizedHttpEvent = APIGatewayProxyEventV2 & { caller: Caller };

/** What {@link authorize} requires of a request. */
export interface AuthorizeOptions {
  /** The role the caller's token must grant. */
  role: string;
  env?: NodeJS.ProcessEnv;
  now?: () => Date;
}

const optional = <T extends z.ZodType>(schema: T) => z.preprocess((value) => (value === '' ? undefined : value), schema.optional());

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
  // Set by serverless-offline in every function it runs: its authorizer claims are unverified.
  IS_OFFLINE: optional(z.string()),
});

/**
 * Where the caller's identity comes from, read from the environment.
 * @throws {ConfigError} naming a malformed variable (never its value).
 */
export function callerOptionsFromEnv(env: NodeJS.ProcessEnv, now?: () => Date): CallerOptions {
  const result = authEnvironment.safeParse(env);
  if (!result.success) throw new ConfigError(result.error.issues.map((issue) => `${formatPath(issue.path)} ${issue.message}`));
  const { AUTH_DEV_KEY, AUTH_ISSUER, AUTH_AUDIENCE, IS_OFFLINE } = result.data;
  return {
    devKey: AUTH_DEV_KEY,
    issuer: AUTH_ISSUER,
    audience: AUTH_AUDIENCE,
    trustAuthorizerClaims: IS_OFFLINE === undefined,
    ...(now && { now }),
  };
}

/**
 * Lets an HTTP request through only with a verified token granting `role`, and puts its
 * {@link Caller} on the event (`event.caller`) so the action is recorded under the token's `sub`.
 * Use it before body parsing: an unauthenticated caller learns nothing about the body's schema.
 * The environment is read on the first request, so a bad `AUTH_DEV_KEY` is a logged 500, not a
 * failed cold start.
 * @throws {UnauthorizedError} without a valid token (401).
 * @throws {ForbiddenError} when the token lacks `role` (403).
 */
export function authorize({ role, env = process.env, now }: AuthorizeOptions): MiddlewareObj<unknown> {
  let options: CallerOptions | undefined;
  return {
    name: 'authorize',
    before: (request) => {
      options ??= callerOptionsFromEnv(env, now);
      // Only ever used on HTTP API routes; callerFrom parses the parts it reads.
      const event = request.event as APIGatewayProxyEventV2;
      const caller = requireRole(callerFrom(event, options), role);
      request.event = { ...event, caller } satisfies AuthorizedHttpEvent;
    },
  };
}
