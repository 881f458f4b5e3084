import type { APIGatewayProxyResultV2 } from 'aws-lambda';
import { z } from 'zod';
import type { ConsoleConfig } from '../api/schemas';

/** The compressions a bundle file is kept in, most preferred first. */
export const ENCODINGS = ['br', 'gzip'] as const;
export type Encoding = (typeof ENCODINGS)[number];

/** One file of the console's bundle: its content type and text, and (the hashed files) the same compressed, base64. */
export interface ConsoleAsset {
  contentType: string;
  body: string;
  encoded?: Readonly<Record<Encoding, string>>;
}

/** The bundle's files by name; `index.html` names the others (hashed names, so they are cached for good). */
export type ConsoleAssets = Readonly<Record<string, ConsoleAsset>>;

/** The parts of an HTTP API (v2) event the console reads. */
const consoleEvent = z.looseObject({
  rawPath: z.string(),
  pathParameters: z.looseObject({ proxy: z.string().optional() }).nullish(),
  // HTTP API (v2) events name headers in lower case.
  headers: z.record(z.string(), z.string().optional()).nullish(),
});

/**
 * The compression to answer with, given a request's `Accept-Encoding`: the first of {@link ENCODINGS}
 * it accepts (a `q` of 0 refuses; `*` accepts any not named), or none.
 * @example chosenEncoding('gzip, deflate, br') // 'br'
 * @example chosenEncoding('br;q=0, gzip') // 'gzip'
 */
export function chosenEncoding(acceptEncoding: string | undefined): Encoding | undefined {
  const weights = new Map<string, number>();
  for (const part of (acceptEncoding ?? '').split(',')) {
    const [name = '', ...params] = part.split(';').map((piece) => piece.trim().toLowerCase());
    const q = params.find((param) => param.startsWith('q='));
    const weight = q === undefined ? 1 : Number(q.slice(2));
    if (name) weights.set(name, Number.isNaN(weight) ? 0 : weight);
  }
  return ENCODINGS.find((encoding) => (weights.get(encoding) ?? weights.get('*') ?? 0) > 0);
}

/** What index.html writes before its bundle's file names (esbuild.config.js): replaced by the console's path. */
export const ASSET_BASE = '{{base}}';

/**
 * The console's directory in a request's path, wherever it is mounted: the page is served at `/console` and at
 * `/console/` alike (a local server and API Gateway differ on a trailing slash), so it names its files absolutely.
 * @example consoleDirectory('/console') // '/console/'
 */
export function consoleDirectory(rawPath: string): string {
  const at = rawPath.indexOf('/console');
  return at === -1 ? '/console/' : `${rawPath.slice(0, at)}/console/`;
}

/** A year: the bundle's files have a content hash in their names, a new build has new names. */
const IMMUTABLE = 'public, max-age=31536000, immutable';

/**
 * The Content-Security-Policy of every answer: scripts and styles from this origin only (no inline
 * code), the API on this origin, the issuer and the other origins its sign-in calls (its token
 * endpoint's), no framing, no plugins.
 * @example contentSecurityPolicy('https://id.example/realms/x') // "default-src 'none'; … connect-src 'self' https://id.example; …"
 */
export function contentSecurityPolicy(issuer: string | undefined, signInOrigins: readonly string[] = []): string {
  const origins = [...(issuer ? [new URL(issuer).origin] : []), ...signInOrigins];
  const connect = ["'self'", ...new Set(origins)].join(' ');
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
export function serveConsole(assets: ConsoleAssets, config: ConsoleConfig, signInOrigins: () => Promise<string[]> = async () => []) {
  const security = (origins: string[]) => ({
    'content-security-policy': contentSecurityPolicy(config.oidc?.issuer, origins),
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
  });
  return async (event: unknown): Promise<APIGatewayProxyResultV2> => {
    const headers = security(await signInOrigins());
    const answer = (statusCode: number, contentType: string, cache: string, body: string, more: Record<string, string> = {}) => ({
      statusCode,
      headers: { 'content-type': contentType, 'cache-control': cache, ...headers, ...more },
      body,
    });
    const parsed = consoleEvent.safeParse(event);
    if (!parsed.success) return answer(400, 'text/plain; charset=utf-8', 'no-store', 'bad request');
    const { rawPath } = parsed.data;
    const file = parsed.data.pathParameters?.proxy ?? rawPath.replace(/^.*?\/console\/?/, '');
    if (file === 'config.json') return answer(200, 'application/json', 'no-store', JSON.stringify(config));
    if (file === '' || file === 'index.html') {
      const page = assets['index.html'];
      if (!page) return answer(404, 'text/plain; charset=utf-8', 'no-store', 'not found');
      return answer(200, page.contentType, 'no-cache', page.body.replaceAll(ASSET_BASE, consoleDirectory(rawPath)));
    }
    const asset = assets[file];
    if (!asset) return answer(404, 'text/plain; charset=utf-8', 'no-store', 'not found');
    const encoding = asset.encoded ? chosenEncoding(parsed.data.headers?.['accept-encoding']) : undefined;
    if (!encoding || !asset.encoded) return answer(200, asset.contentType, IMMUTABLE, asset.body, { vary: 'accept-encoding' });
    const compressed = { vary: 'accept-encoding', 'content-encoding': encoding };
    return { ...answer(200, asset.contentType, IMMUTABLE, asset.encoded[encoding], compressed), isBase64Encoded: true };
  };
}
