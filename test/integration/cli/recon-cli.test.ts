import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { verifyJwt } from '../../../lib/auth/jwt';
import { discrepancy, summary } from '../../unit/cli/fake-recon-api';
import { closeFakeApiServers, serveFakeApi } from './fake-api-server';

const DEV_KEY = 'a-test-dev-key-of-at-least-thirty-two-characters';
const NO_SESSION_DIR = mkdtempSync(join(tmpdir(), 'recon-no-session-'));
afterEach(closeFakeApiServers);

const serve = serveFakeApi;

/** `npm run recon -- …` as a person runs it: a child process, its exit code and its two outputs. */
function recon(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const {
    RECON_TOKEN: _token,
    RECON_API_URL: _url,
    RECON_USER: _user,
    AUTH_ISSUER: _issuer,
    AUTH_AUDIENCE: _audience,
    ...inherited
  } = process.env;
  const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/recon.ts', ...args], {
    // No session a developer's own `recon login` cached: a fresh, empty config directory.
    env: { ...inherited, AUTH_DEV_KEY: DEV_KEY, XDG_CONFIG_HOME: NO_SESSION_DIR, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

describe('recon (the command line, as a process)', () => {
  it('runs against a local API with a token it signs itself, follows the run and exits 2 for a partial one', async () => {
    const server = await serve((request) =>
      request.method === 'POST'
        ? { status: 202, json: { runId: 'run-7', status: 'queued' } }
        : { status: 200, json: summary({ runId: 'run-7', status: 'partial' }) },
    );
    const result = await recon(['--api-url', server.url, '--as', 'alice@example.com', 'run', '--asset', 'eth']);
    expect(result.stderr).toBe('run run-7 queued…\n');
    expect(result.code).toBe(2);
    expect(result.stdout).toContain('run run-7: partial');
    const token = server.received[0]?.authorization?.replace(/^Bearer /, '') ?? '';
    expect(verifyJwt(token, { key: DEV_KEY })).toMatchObject({ sub: 'alice@example.com', claims: { 'cognito:groups': ['compliance'] } });
    expect(result.stdout + result.stderr).not.toContain(token);
  });

  it('prints one JSON document with --json, with the token from RECON_TOKEN', async () => {
    const server = await serve(() => ({ status: 200, json: { items: [discrepancy()] } }));
    const result = await recon(['list', '--json', '--status', 'open'], { RECON_API_URL: server.url, RECON_TOKEN: 'given.token.value' });
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({ items: [discrepancy()] });
    expect(server.received[0]?.authorization).toBe('Bearer given.token.value');
  });

  it('exits 1 with the API’s problems, and with a clear message before calling when a flag is wrong', async () => {
    const server = await serve(() => ({
      status: 409,
      json: { message: 'conflict', problem: 'discrepancy cross-source:u1:eth is resolved: it cannot be acknowledged' },
    }));
    const refused = await recon(['--api-url', server.url, 'ack', 'cross-source:u1:eth', '--note', 'seen']);
    expect(refused).toMatchObject({ code: 1, stdout: '' });
    expect(refused.stderr).toBe(
      'error: POST /discrepancies/cross-source:u1:eth/acknowledge answered 409 (conflict)\n  discrepancy cross-source:u1:eth is resolved: it cannot be acknowledged\n',
    );
    const noNote = await recon(['--api-url', server.url, 'resolve', 'cross-source:u1:eth']);
    expect(noNote).toMatchObject({ code: 1, stderr: 'error: --note: a note is required\n' });
    expect(server.received).toHaveLength(1);
  });

  it('says which URL refused the connection and suggests npm start', async () => {
    const server = await serve(() => ({ status: 200, json: {} }));
    await server.close();
    const result = await recon(['--api-url', server.url, 'show', 'cross-source:u1:eth']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`cannot reach the API at ${server.url} (ECONNREFUSED)`);
    expect(result.stderr).toContain('npm start');
  });

  it('asks for a token rather than signing one for an API that is not on this machine', async () => {
    const result = await recon(['list'], { RECON_API_URL: 'https://recon.example.com/prod' });
    expect(result).toMatchObject({ code: 1, stdout: '' });
    expect(result.stderr).toContain(
      'no token for https://recon.example.com/prod: run `recon login`, pass --token <jwt> or set RECON_TOKEN',
    );
  });
});
