import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { discoveryUrl, issuerOrigins } from '../../../lib/console/issuer-origins';

/**
 * A Cognito-like issuer over real HTTP: the discovery document at the pool's path names a token
 * endpoint on another origin (here another host name of the same server), as Cognito's hosted domain is.
 */
let server: Server;
let port = 0;
let requests: string[] = [];
let status = 200;

beforeAll(async () => {
  server = createServer((req, res) => {
    requests.push(req.url ?? '');
    if (req.url !== '/eu-west-1_pool/.well-known/openid-configuration' || status !== 200) {
      res.writeHead(status === 200 ? 404 : status).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end(
      JSON.stringify({
        issuer: `http://127.0.0.1:${port}/eu-west-1_pool`,
        authorization_endpoint: `http://localhost:${port}/oauth2/authorize`,
        token_endpoint: `http://localhost:${port}/oauth2/token`,
        jwks_uri: `http://127.0.0.1:${port}/eu-west-1_pool/.well-known/jwks.json`,
      }),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

/** A logger keeping its warnings. */
function warnings() {
  const lines: { message: string; fields?: Record<string, unknown> }[] = [];
  return { lines, log: { warn: (message: string, fields?: Record<string, unknown>) => lines.push({ message, fields }) } };
}

describe("the issuer's sign-in origins (discovery over HTTP)", () => {
  it("reads the token endpoint's origin from the discovery document, once per container", async () => {
    requests = [];
    status = 200;
    const { lines, log } = warnings();
    const origins = issuerOrigins(`http://127.0.0.1:${port}/eu-west-1_pool`, log);
    expect(await origins()).toEqual([`http://localhost:${port}`]);
    expect(await origins()).toEqual([`http://localhost:${port}`]);
    expect(requests).toEqual(['/eu-west-1_pool/.well-known/openid-configuration']);
    expect(lines).toEqual([]);
  });

  it('answers none with a warning when the document cannot be read, and reads it again at the next request', async () => {
    requests = [];
    status = 503;
    const { lines, log } = warnings();
    const origins = issuerOrigins(`http://127.0.0.1:${port}/eu-west-1_pool/`, log);
    expect(await origins()).toEqual([]);
    expect(lines[0]?.fields?.error).toContain('HTTP 503');
    status = 200;
    expect(await origins()).toEqual([`http://localhost:${port}`]);
    expect(requests).toHaveLength(2);
  });

  it('reads nothing without an issuer (no OIDC sign-in offered)', async () => {
    requests = [];
    expect(await issuerOrigins(undefined, warnings().log)()).toEqual([]);
    expect(requests).toEqual([]);
  });

  it("finds the document at the issuer's path, a trailing slash or not", () => {
    expect(discoveryUrl('https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_abc/')).toBe(
      'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_abc/.well-known/openid-configuration',
    );
  });
});
