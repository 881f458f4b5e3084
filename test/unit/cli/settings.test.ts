import { describe, expect, it } from 'vitest';
import { verifyJwt } from '../../../lib/auth/jwt';
import { UsageError } from '../../../scripts/cli/errors';
import { isLocalUrl, readSettings } from '../../../scripts/cli/settings';

const KEY = 'a-local-dev-key-of-at-least-32-characters';
const noFile = () => ({});

describe('readSettings', () => {
  it('takes the token in the order --token, RECON_TOKEN, the signed-in session, then (locally) the dev key', () => {
    const env = { AUTH_DEV_KEY: KEY, RECON_TOKEN: 'from.env.token' };
    expect(readSettings({ token: 'from.flag.token', sessionToken: 'session.token.x', env, readEnvFile: noFile }).token()).toBe(
      'from.flag.token',
    );
    expect(readSettings({ sessionToken: 'session.token.x', env, readEnvFile: noFile }).token()).toBe('from.env.token');
    const session = readSettings({ sessionToken: 'session.token.x', env: { AUTH_DEV_KEY: KEY }, readEnvFile: noFile });
    expect(session.token()).toBe('session.token.x');
    const remote = readSettings({
      sessionToken: 'session.token.x',
      env: { RECON_API_URL: 'https://recon.example.com' },
      readEnvFile: noFile,
    });
    expect(remote.token()).toBe('session.token.x');
  });

  it('calls the local stack by default and signs a compliance token for analyst@localhost with the dev key', () => {
    const settings = readSettings({ env: { AUTH_DEV_KEY: KEY }, readEnvFile: noFile });
    expect(settings.baseUrl).toBe('http://127.0.0.1:3000');
    expect(settings.local).toBe(true);
    expect(verifyJwt(settings.token(), { key: KEY })).toMatchObject({
      sub: 'analyst@localhost',
      claims: { 'cognito:groups': ['compliance'] },
    });
  });

  it('signs the act role into the claim the functions are configured to read', () => {
    const env = { AUTH_DEV_KEY: KEY, AUTH_ROLES_CLAIM: 'roles', AUTH_ACT_ROLE: 'recon-admin' };
    const { claims } = verifyJwt(readSettings({ env, readEnvFile: noFile }).token(), { key: KEY });
    expect(claims.roles).toEqual(['recon-admin']);
    expect(claims).not.toHaveProperty(['cognito:groups']);
  });

  it('signs as --as, else RECON_USER, with the key of .env.local and its issuer and audience', () => {
    const file = () => ({ AUTH_DEV_KEY: KEY, AUTH_ISSUER: 'local-issuer', AUTH_AUDIENCE: 'balance-recon' });
    const asFlag = readSettings({ as: 'alice@example.com', env: { RECON_USER: 'bob@example.com' }, readEnvFile: file });
    expect(verifyJwt(asFlag.token(), { key: KEY, issuer: 'local-issuer', audience: 'balance-recon' }).sub).toBe('alice@example.com');
    const fromEnv = readSettings({ env: { RECON_USER: 'bob@example.com' }, readEnvFile: file });
    expect(verifyJwt(fromEnv.token(), { key: KEY, issuer: 'local-issuer', audience: 'balance-recon' }).sub).toBe('bob@example.com');
  });

  it('takes --token over RECON_TOKEN, and says that --as is then ignored', () => {
    expect(readSettings({ token: 'flag.token.x', env: { RECON_TOKEN: 'env.token.x' } }).token()).toBe('flag.token.x');
    const fromEnv = readSettings({ as: 'alice@example.com', env: { RECON_TOKEN: 'env.token.x' } });
    expect(fromEnv.token()).toBe('env.token.x');
    expect(fromEnv.notices).toEqual(['--as is ignored: the token given names its own subject']);
  });

  it('never signs a token for an API elsewhere: the first call is refused with what to do', () => {
    const settings = readSettings({ env: { RECON_API_URL: 'https://recon.example.com/prod/', AUTH_DEV_KEY: KEY }, readEnvFile: noFile });
    expect(settings).toMatchObject({ baseUrl: 'https://recon.example.com/prod', local: false });
    expect(() => settings.token()).toThrow(
      /^invalid arguments: no token for https:\/\/recon\.example\.com\/prod: run `recon login`, pass --token <jwt> or set RECON_TOKEN/,
    );
  });

  it('refuses, at the first call, a missing or short dev key', () => {
    expect(() => readSettings({ env: {}, readEnvFile: noFile }).token()).toThrow(/set AUTH_DEV_KEY/);
    expect(() => readSettings({ env: { AUTH_DEV_KEY: 'short' }, readEnvFile: noFile }).token()).toThrow(/at least 32 characters/);
  });

  it('refuses a URL that is not http(s) or that carries credentials', () => {
    expect(() => readSettings({ apiUrl: 'localhost:3000', env: {} })).toThrow(UsageError);
    expect(() => readSettings({ apiUrl: 'ftp://127.0.0.1', env: {} })).toThrow(/must be an http\(s\) URL/);
    expect(() => readSettings({ apiUrl: 'http://me:secret@127.0.0.1:3000', env: {} })).toThrow(/no credentials/);
  });
});

describe('isLocalUrl', () => {
  it('knows this machine by name and address only', () => {
    for (const url of ['http://localhost:3000', 'http://127.0.0.1:3000', 'http://127.1.2.3', 'http://[::1]:3000', 'http://api.localhost']) {
      expect(isLocalUrl(url)).toBe(true);
    }
    for (const url of ['https://recon.example.com', 'http://10.0.0.1:3000', 'http://localhost.example.com', 'http://128.0.0.1']) {
      expect(isLocalUrl(url)).toBe(false);
    }
  });
});
