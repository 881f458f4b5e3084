import { JwtVerifier } from 'aws-jwt-verify';
import { FetchError, JwksValidationError, JwtBaseError } from 'aws-jwt-verify/error';
import type { Fetcher } from 'aws-jwt-verify/https';
import { SimpleJwksCache } from 'aws-jwt-verify/jwk';
import type { JwtPayload } from 'aws-jwt-verify/jwt-model';
import { z } from 'zod';
import { UnauthorizedError } from '../errors';
import { describeIssues } from '../zod-issues';
import { CLOCK_LEEWAY_SECONDS, type VerifiedClaims } from './jwt';

/** Verifies a bearer token and says who it speaks for. */
export type TokenVerifier = (token: string) => Promise<VerifiedClaims>;

/** The issuer a deployed function trusts: the same `AUTH_ISSUER_URL` and `AUTH_JWT_AUDIENCE` as API Gateway's authorizer. */
export interface IssuerOptions {
  issuerUrl: string;
  audience: string;
  /** Where the issuer's keys are; default `<issuer>/.well-known/jwks.json` (Cognito's, and most OIDC issuers'). */
  jwksUri?: string | undefined;
  /** How the keys are fetched: HTTPS by default; tests serve a JWKS over plain HTTP. */
  fetcher?: Fetcher;
}

const subject = z.object({ sub: z.string({ error: 'is required' }).min(1, { error: 'is required' }) });

/**
 * A verifier of the issuer's tokens (aws-jwt-verify: signature against the issuer's JWKS, `iss`,
 * `exp`, `nbf`), so a function never relies on forwarded claims alone. The audience is checked as
 * API Gateway's JWT authorizer does: `aud` must contain it, or, without `aud` (Cognito access
 * tokens), `client_id` must equal it. The keys are cached for the container's life.
 * @throws {UnauthorizedError} from the returned function for a token that does not verify; an
 * unreachable or malformed JWKS is rethrown as it is (a 500: the caller is not at fault).
 */
export function issuerVerifier({ issuerUrl, audience, jwksUri, fetcher }: IssuerOptions): TokenVerifier {
  const verifier = JwtVerifier.create(
    {
      issuer: issuerUrl,
      audience: null,
      ...(jwksUri && { jwksUri }),
      graceSeconds: CLOCK_LEEWAY_SECONDS,
      customJwtCheck: ({ payload }) => checkAudience(payload, audience),
    },
    { jwksCache: new SimpleJwksCache(fetcher ? { fetcher } : {}) },
  );
  return async (token) => {
    let payload: JwtPayload;
    try {
      payload = await verifier.verify(token);
    } catch (error) {
      if (error instanceof FetchError || error instanceof JwksValidationError || !(error instanceof JwtBaseError)) throw error;
      throw new UnauthorizedError(`token does not verify: ${error.message}`, { cause: error });
    }
    const claims = subject.safeParse(payload);
    if (!claims.success) throw new UnauthorizedError(`token claims: ${describeIssues(claims.error).join('; ')}`);
    return { sub: claims.data.sub, claims: payload };
  };
}

function checkAudience(payload: JwtPayload, audience: string): void {
  const { aud, client_id: clientId } = payload;
  const granted = aud === undefined ? clientId === audience : (typeof aud === 'string' ? [aud] : aud).includes(audience);
  if (!granted) throw new UnauthorizedError('token audience does not include the expected one');
}
