import type { APIGatewayProxyResultV2 } from 'aws-lambda';
import { z } from 'zod';
import type { ConsoleConfig } from '../api/schemas';

/** One file of the console's bundle: its content type and text. */
export interface ConsoleAsset {
  contentType: string;
  body: string;
}

/** The bundle's files by name; `index.html` names the others (hashed names, so they are cached for good). */
export type ConsoleAssets = Readonly<Record<string, ConsoleAsset>>;

/** The parts of an HTTP API (v2) event the console reads. */
const consoleEvent = z.looseObject({
  rawPath: z.string(),
  pathParameters: z.looseObject({ proxy: z.string().optional() }).nullish(),
});

/** A year: the bundle's files have a content hash in their names, a new build has new names. */
const IMMUTABLE = 'public, max-age=31536000, immutable';

/**
 * The Content-Security-Policy of every answer: scripts and styles from this origin only (no inline
 * code), the API on this origin, the issuer for the OIDC sign-in, no framing, no plugins.
 * @example contentSecurityPolicy('https://id.example/realms/x') // "default-src 'none'; … connect-src 'self' https://id.example; …"
 */
export function contentSecurityPolicy(issuer: string | undefined): string {
  const connect = ["'self'", ...(issuer ? [new URL(issuer).origin] : [])].join(' ');
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    `connect-src ${connect}`,
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/**
 * `GET /console`, `GET /console/{proxy+}` and `GET /console/config.json`: the console's page, its bundle and
 * its settings. No token: the page holds nothing secret and signs the person in itself; the API it calls
 * verifies every token.
 */
export function serveConsole(assets: ConsoleAssets, config: ConsoleConfig) {
  const security = {
    'content-security-policy': contentSecurityPolicy(config.oidc?.issuer),
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
  };
  const answer = (statusCode: number, contentType: string, cache: string, body: string): APIGatewayProxyResultV2 => ({
    statusCode,
    headers: { 'content-type': contentType, 'cache-control': cache, ...security },
    body,
  });
  return async (event: unknown): Promise<APIGatewayProxyResultV2> => {
    const parsed = consoleEvent.safeParse(event);
    if (!parsed.success) return answer(400, 'text/plain; charset=utf-8', 'no-store', 'bad request');
    const file = parsed.data.pathParameters?.proxy ?? parsed.data.rawPath.replace(/^.*?\/console\/?/, '');
    if (file === '' && !parsed.data.rawPath.endsWith('/')) {
      // The page's relative URLs (its bundle, the API) resolve against /console/, not /console.
      return { statusCode: 308, headers: { location: `${parsed.data.rawPath}/`, ...security }, body: '' };
    }
    if (file === 'config.json') return answer(200, 'application/json', 'no-store', JSON.stringify(config));
    const name = file === '' || file === 'index.html' ? 'index.html' : file;
    const asset = assets[name];
    if (!asset) return answer(404, 'text/plain; charset=utf-8', 'no-store', 'not found');
    return answer(200, asset.contentType, name === 'index.html' ? 'no-cache' : IMMUTABLE, asset.body);
  };
}
