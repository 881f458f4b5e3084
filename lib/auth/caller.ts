import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { UnauthorizedError } from '../errors';
import type { TokenVerifier } from './issuer-verifier';
import { rolesFrom } from './roles';

/** Who made an HTTP request, as its verified token says: recorded on every manual action. */
export interface Caller {
  readonly sub: string;
  /** The exact names of the configured roles claim. */
  readonly roles: readonly string[];
}

/** How {@link callerFrom} verifies a request's token and where it finds the roles. */
export interface CallerOptions {
  /**
   * Verifies the bearer token: against the issuer's JWKS when deployed, with `AUTH_DEV_KEY` on the
   * local stage; undefined when neither is configured, and every request is refused.
   */
  verify: TokenVerifier | undefined;
  /** The claim that holds the roles (`AUTH_ROLES_CLAIM`). */
  rolesClaim: string;
}

/**
 * The caller of an HTTP API request, from the `Authorization: Bearer …` header verified here.
 * Claims API Gateway forwards (`requestContext.authorizer.jwt.claims`) are never read: they are
 * flattened to strings (a group with a space in its name would be two), and serverless-offline
 * fills them from any token unverified.
 * @throws {UnauthorizedError} when there is no token, or it does not verify.
 */
export async function callerFrom(event: APIGatewayProxyEventV2, options: CallerOptions): Promise<Caller> {
  const token = bearerToken(event.headers);
  if (token === undefined) throw new UnauthorizedError('no bearer token (Authorization: Bearer <token>)');
  if (options.verify === undefined) {
    throw new UnauthorizedError('the token cannot be verified here: neither AUTH_ISSUER_URL nor AUTH_DEV_KEY is set');
  }
  const { sub, claims } = await options.verify(token);
  return { sub, roles: rolesFrom(claims, options.rolesClaim) };
}

/** The token of an `Authorization: Bearer <token>` header, whatever the header name's case. */
function bearerToken(headers: APIGatewayProxyEventV2['headers'] | undefined): string | undefined {
  const value = Object.entries(headers ?? {}).find(([name]) => name.toLowerCase() === 'authorization')?.[1];
  if (value === undefined) return undefined;
  const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(value);
  if (!match?.[1]) throw new UnauthorizedError('the Authorization header is not "Bearer <token>"');
  return match[1];
}
