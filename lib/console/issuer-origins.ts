import { z } from 'zod';
import type { Logger } from '../log';

/** The fields of an OIDC discovery document that name where the console's browser sends requests. */
const discoveryDocument = z.looseObject({
  issuer: z.string(),
  token_endpoint: z.url({ protocol: /^https?$/ }),
});

/** How long the console function waits for the issuer's discovery document before answering without it. */
export const DISCOVERY_TIMEOUT_MS = 3_000;

/**
 * Where an OIDC issuer's discovery document is (OpenID Connect Discovery 1.0 §4: the issuer's path
 * with `/.well-known/openid-configuration` appended), as the console's sign-in reads it.
 * @example discoveryUrl('https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_abc') // '…/eu-west-1_abc/.well-known/openid-configuration'
 */
export function discoveryUrl(issuer: string): string {
  return `${issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`;
}

/**
 * The origins the console's sign-in calls besides the issuer's own: its token endpoint's (Cognito's
 * is the hosted domain, `https://<domain>.auth.<region>.amazoncognito.com`, while its issuer is
 * `https://cognito-idp.<region>.amazonaws.com/<pool>`), read from the discovery document once per
 * container. A failed read answers none and is tried again at the next request (the page's policy
 * then allows only the issuer's origin, and a sign-in whose token endpoint is elsewhere fails until
 * the document is read).
 */
export function issuerOrigins(
  issuer: string | undefined,
  log: Pick<Logger, 'warn'>,
  fetchImpl: typeof fetch = fetch,
): () => Promise<string[]> {
  if (!issuer) return async () => [];
  let known: Promise<string[]> | undefined;
  const read = async () => {
    const response = await fetchImpl(discoveryUrl(issuer), { signal: AbortSignal.timeout(DISCOVERY_TIMEOUT_MS) });
    if (!response.ok) throw new Error(`the issuer's discovery document answered HTTP ${response.status}`);
    const document = discoveryDocument.parse(await response.json());
    return [new URL(document.token_endpoint).origin];
  };
  return () => {
    known ??= read().catch((error: unknown) => {
      known = undefined;
      log.warn('console: the issuer discovery document could not be read; the page allows only the issuer origin', {
        issuer,
        error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
      });
      return [];
    });
    return known;
  };
}
