import { brotliCompressSync, brotliDecompressSync, gunzipSync, gzipSync } from 'node:zlib';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { consoleConfigFrom } from '../../../lib/console/console-settings';
import { chosenEncoding, consoleDirectory, contentSecurityPolicy, serveConsole } from '../../../lib/console/console-site';

const assets = {
  'index.html': { contentType: 'text/html; charset=utf-8', body: '<script type="module" src="{{base}}app.0123abcd.js"></script>' },
  'app.0123abcd.js': { contentType: 'text/javascript; charset=utf-8', body: 'console.log(1)' },
  'app.0123abcd.css': { contentType: 'text/css; charset=utf-8', body: 'body{}' },
};
const config = consoleConfigFrom({
  CONSOLE_DEV_SIGN_IN: 'true',
  AUTH_ISSUER_URL: 'https://id.example/realms/recon',
  AUTH_CLIENT_ID: 'console',
});
const handler = serveConsole(assets, config);

async function get(rawPath: string, proxy?: string): Promise<APIGatewayProxyStructuredResultV2> {
  const answer = await handler({ rawPath, pathParameters: proxy === undefined ? undefined : { proxy } });
  if (typeof answer === 'string') throw new Error('a structured answer was expected');
  return answer;
}

describe('the console function', () => {
  it('serves the page at /console and /console/, naming its files from that path, never cached stale', async () => {
    for (const path of ['/console', '/console/']) {
      const page = await get(path);
      expect(page.statusCode).toBe(200);
      expect(page.headers?.['content-type']).toBe('text/html; charset=utf-8');
      expect(page.headers?.['cache-control']).toBe('no-cache');
      expect(page.body).toContain('src="/console/app.0123abcd.js"');
    }
    expect((await get('/console/index.html', 'index.html')).body).toContain('/console/app.0123abcd.js');
  });

  it('serves the bundle with its content type, cached for good (its name changes with its content)', async () => {
    const script = await get('/console/app.0123abcd.js', 'app.0123abcd.js');
    expect(script.statusCode).toBe(200);
    expect(script.headers?.['content-type']).toBe('text/javascript; charset=utf-8');
    expect(script.headers?.['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(script.body).toBe('console.log(1)');
    expect((await get('/console/app.0123abcd.css', 'app.0123abcd.css')).headers?.['content-type']).toBe('text/css; charset=utf-8');
  });

  it('answers config.json from its settings, never cached', async () => {
    const answer = await get('/console/config.json');
    expect(answer.headers?.['content-type']).toBe('application/json');
    expect(answer.headers?.['cache-control']).toBe('no-store');
    expect(JSON.parse(answer.body ?? '')).toEqual({
      devSignIn: true,
      oidc: { issuer: 'https://id.example/realms/recon', clientId: 'console', scope: 'openid', rolesClaim: 'cognito:groups' },
      roles: { read: 'compliance-read', act: 'compliance' },
    });
  });

  it('answers 404 for a file it does not have, and 400 for an event it cannot read', async () => {
    expect((await get('/console/secrets.txt', 'secrets.txt')).statusCode).toBe(404);
    expect((await get('/console/../serverless.yml', '../serverless.yml')).statusCode).toBe(404);
    const answer = await handler({ path: '/console' });
    expect(typeof answer !== 'string' && answer.statusCode).toBe(400);
  });

  it('sends a strict Content-Security-Policy with every answer: no inline code, the API and the issuer only, no framing', async () => {
    for (const answer of [
      await get('/console/'),
      await get('/console/app.0123abcd.js', 'app.0123abcd.js'),
      await get('/console/nope', 'nope'),
    ]) {
      const policy = answer.headers?.['content-security-policy'];
      expect(policy).toBe(contentSecurityPolicy('https://id.example/realms/recon'));
      expect(answer.headers?.['x-content-type-options']).toBe('nosniff');
    }
    const policy = contentSecurityPolicy('https://id.example/realms/recon');
    expect(policy).toContain("default-src 'none'");
    expect(policy).toContain("script-src 'self';");
    expect(policy).not.toContain('unsafe-inline');
    expect(policy).toContain("connect-src 'self' https://id.example;");
    expect(policy).toContain("frame-ancestors 'none'");
    expect(contentSecurityPolicy(undefined)).toContain("connect-src 'self';");
  });

  it("adds the origins the issuer's sign-in calls (its token endpoint's) to connect-src, each once", async () => {
    const cognito = serveConsole(assets, config, async () => ['https://recon.auth.eu-west-1.amazoncognito.com', 'https://id.example']);
    const answer = await cognito({ rawPath: '/console/' });
    const policy = typeof answer === 'string' ? '' : answer.headers?.['content-security-policy'];
    expect(policy).toContain("connect-src 'self' https://id.example https://recon.auth.eu-west-1.amazoncognito.com;");
  });
});

describe('the bundle compressed', () => {
  const script = 'console.log("the console")'.repeat(50);
  const encoded = { br: brotliCompressSync(script).toString('base64'), gzip: gzipSync(script).toString('base64') };
  const compressing = serveConsole({ 'app.1.js': { contentType: 'text/javascript; charset=utf-8', body: script, encoded } }, config);
  const fetchWith = async (acceptEncoding?: string) => {
    const answer = await compressing({
      rawPath: '/console/app.1.js',
      headers: acceptEncoding === undefined ? {} : { 'accept-encoding': acceptEncoding },
    });
    if (typeof answer === 'string') throw new Error('a structured answer was expected');
    return answer;
  };

  it('answers Brotli, else gzip, as the browser accepts, base64 with its content-encoding, varying by Accept-Encoding', async () => {
    const br = await fetchWith('gzip, deflate, br, zstd');
    expect(br).toMatchObject({ isBase64Encoded: true, headers: { 'content-encoding': 'br', vary: 'accept-encoding' } });
    expect(brotliDecompressSync(Buffer.from(br.body ?? '', 'base64')).toString()).toBe(script);
    const gzip = await fetchWith('gzip');
    expect(gzip.headers?.['content-encoding']).toBe('gzip');
    expect(gunzipSync(Buffer.from(gzip.body ?? '', 'base64')).toString()).toBe(script);
  });

  it('answers the text as it is when the browser accepts no compression it has', async () => {
    for (const accept of [undefined, 'identity', 'deflate', 'br;q=0, gzip;q=0']) {
      const plain = await fetchWith(accept);
      expect(plain.body).toBe(script);
      expect(plain.isBase64Encoded).toBeUndefined();
      expect(plain.headers?.['content-encoding']).toBeUndefined();
      expect(plain.headers?.vary).toBe('accept-encoding');
    }
  });

  it('reads Accept-Encoding with its weights', () => {
    expect(chosenEncoding('gzip, deflate, br')).toBe('br');
    expect(chosenEncoding('br;q=0, gzip')).toBe('gzip');
    expect(chosenEncoding('GZIP;Q=0.5')).toBe('gzip');
    expect(chosenEncoding('*')).toBe('br');
    expect(chosenEncoding('*, br;q=0')).toBe('gzip');
    expect(chosenEncoding('gzip;q=0')).toBeUndefined();
    expect(chosenEncoding('')).toBeUndefined();
  });
});

describe('consoleDirectory', () => {
  it('is the console folder of the path, under a stage prefix too', () => {
    expect(consoleDirectory('/console')).toBe('/console/');
    expect(consoleDirectory('/console/')).toBe('/console/');
    expect(consoleDirectory('/prod/console/app.js')).toBe('/prod/console/');
  });
});

describe('consoleConfigFrom', () => {
  it('offers the dev sign-in only when the stage says so', () => {
    expect(consoleConfigFrom({}).devSignIn).toBe(false);
    expect(consoleConfigFrom({ CONSOLE_DEV_SIGN_IN: 'false' }).devSignIn).toBe(false);
    expect(consoleConfigFrom({ CONSOLE_DEV_SIGN_IN: 'yes' }).devSignIn).toBe(false);
    expect(consoleConfigFrom({ CONSOLE_DEV_SIGN_IN: 'true' }).devSignIn).toBe(true);
  });

  it('offers OIDC only with an issuer and a client id, never the placeholder issuer', () => {
    expect(consoleConfigFrom({ AUTH_ISSUER_URL: 'https://id.example' }).oidc).toBeUndefined();
    expect(consoleConfigFrom({ AUTH_ISSUER_URL: 'https://example.invalid', AUTH_CLIENT_ID: 'console' }).oidc).toBeUndefined();
    expect(consoleConfigFrom({ AUTH_ISSUER_URL: 'https://id.example', AUTH_CLIENT_ID: 'console' }).oidc?.issuer).toBe('https://id.example');
  });

  it('names the roles the service is configured with', () => {
    expect(consoleConfigFrom({ AUTH_READ_ROLE: 'auditors', AUTH_ACT_ROLE: 'analysts' }).roles).toEqual({
      read: 'auditors',
      act: 'analysts',
    });
  });
});
