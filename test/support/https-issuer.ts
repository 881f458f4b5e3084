import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, globalAgent } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportJWK, generateKeyPair, type JWTPayload, SignJWT } from 'jose';

/** An OIDC issuer on this machine, as a deployed function meets one: its JWKS over HTTPS. */
export interface HttpsIssuer {
  /** `https://127.0.0.1:<port>`: the function's `AUTH_ISSUER_URL` */
  issuerUrl: string;
  /** A token of this issuer (RS256, `iss` set, one hour) carrying `claims`. */
  sign(claims: JWTPayload): Promise<string>;
  stop(): Promise<void>;
}

/**
 * Serves a JWKS at `/.well-known/jwks.json` over HTTPS with a certificate made here (`openssl`),
 * and makes this process's default HTTPS agent trust that certificate, as a deployed function
 * trusts a real issuer's: the function's own verifier (aws-jwt-verify) fetches the keys unchanged.
 */
export async function httpsIssuer(): Promise<HttpsIssuer> {
  const dir = mkdtempSync(join(tmpdir(), 'issuer-'));
  const [key, cert] = [join(dir, 'key.pem'), join(dir, 'cert.pem')];
  const subject = ['-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'];
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', ...subject, '-keyout', key, '-out', cert], {
    stdio: 'ignore',
  });
  const tls = { key: readFileSync(key), cert: readFileSync(cert) };
  rmSync(dir, { recursive: true, force: true });

  const signing = await generateKeyPair('RS256');
  const jwks = JSON.stringify({ keys: [{ ...(await exportJWK(signing.publicKey)), kid: 'issuer-key', alg: 'RS256', use: 'sig' }] });
  const server = createServer(tls, (request, response) => {
    const found = request.url === '/.well-known/jwks.json';
    response.writeHead(found ? 200 : 404, { 'content-type': 'application/json' }).end(found ? jwks : '{}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuerUrl = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const trusted = globalAgent.options.ca;
  globalAgent.options.ca = tls.cert;
  return {
    issuerUrl,
    sign: (claims) =>
      new SignJWT(claims)
        .setProtectedHeader({ alg: 'RS256', kid: 'issuer-key' })
        .setIssuer(issuerUrl)
        .setIssuedAt()
        .setExpirationTime('1h')
        .sign(signing.privateKey),
    stop: async () => {
      globalAgent.options.ca = trusted;
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
