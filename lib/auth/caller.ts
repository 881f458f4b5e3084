import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { z } from 'zod';
import { ForbiddenError, UnauthorizedError } from '../errors';
import { describeIssues } from '../zod-issues';
import { type HmacKey, identityClaims, verifyJwt } from './jwt';

/** Who made an HTTP request, as its verified token says: recorded on every manual action. */
export interface Caller {
  readonly sub: string;
  readonly roles: readonly string[];
}

/** Where {@link callerFrom} may find a verified identity. */
export interface CallerOptions {
  /**
   * `AUTH_DEV_KEY`: when set, a bearer token signed with it is verified here, since neither
   * serverless-offline nor `sls invoke local` runs API Gateway's JWT authorizer.
   */
  devKey?: HmacKey | undefined;
  issuer?: string | undefined;
  audience?: string | undefined;
  /**
   * Whether claims in `requestContext.authorizer.jwt` were put there by API Gateway's JWT
   * authorizer (default true). False under serverless-offline, which decodes any bearer token
   * into those claims without verifying it, and lets a request header replace them.
   */
  trustAuthorizerClaims?: boolean;
  now?: () => Date;
}

const authorizerContext = z.object({
  requestContext: z.object({ authorizer: z.object({ jwt: z.object({ claims: z.record(z.string(), z.unknown()) }) }) }),
});

/**
 * The caller of an HTTP API request. Deployed, API Gateway's JWT authorizer has verified the
 * token and passes its claims (`sub`; roles from `roles`, `scope` or `cognito:groups`, arrays
 * flattened to `"[a b]"`). Locally, with a dev key, the `Authorization: Bearer …` header is
 * verified here.
 * @throws {UnauthorizedError} when there is no token, or it does not verify.
 */
export function callerFrom(event: APIGatewayProxyEventV2, options: CallerOptions): Caller {
  const context = authorizerContext.safeParse(event);
  if (context.success && options.trustAuthorizerClaims !== false) {
    const identity = identityClaims.safeParse(context.data.requestContext.authorizer.jwt.claims);
    if (!identity.success) throw new UnauthorizedError(`authorizer claims: ${describeIssues(identity.error).join('; ')}`);
    return identity.data;
  }
  const token = bearerToken(event.headers);
  if (token === undefined) throw new UnauthorizedError('no bearer token (Authorization: Bearer <token>)');
  if (options.devKey === undefined) {
    throw new UnauthorizedError('the token cannot be verified here: no JWT authorizer ran and AUTH_DEV_KEY is not set');
  }
  const { sub, roles } = verifyJwt(token, { key: options.devKey, issuer: options.issuer, audience: options.audience, now: options.now });
  return { sub, roles };
}

/**
 * Lets the caller through only with `role`.
 * @throws {ForbiddenError} naming the missing role.
 */
export function requireRole(caller: Caller, role: string): Caller {
  if (!caller.roles.includes(role)) throw new ForbiddenError(caller.sub, role);
  return caller;
}

/** The token of an `Authorization: Bearer <token>` header, whatever the header name's case. */
function bearerToken(headers: APIGatewayProxyEventV2['headers'] | undefined): string | undefined {
  const value = Object.entries(headers ?? {}).find(([name]) => name.toLowerCase() === 'authorization')?.[1];
  if (value === undefined) return undefined;
  const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(value);
  if (!match?.[1]) throw new UnauthorizedError('the Authorization header is not "Bearer <token>"');
  return match[1];
}
