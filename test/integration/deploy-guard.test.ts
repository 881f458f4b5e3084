import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

/** Runs the serverless CLI of this project; its exit code and output. */
function sls(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['node_modules/serverless/bin/serverless.js', ...args], {
      env: { PATH: process.env.PATH, HOME: process.env.HOME, AWS_REGION: 'us-east-1', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk) => {
      output += chunk;
    });
    child.stderr.on('data', (chunk) => {
      output += chunk;
    });
    child.on('close', (code) => resolve({ code, output }));
  });
}

describe('guard plugin through the serverless CLI (no AWS reachable: the refusal must come first)', () => {
  it('refuses `sls deploy --stage local` and a prod package with a plaintext token, naming it', async () => {
    const packageDir = join(mkdtempSync(join(tmpdir(), 'guard-')), 'package');
    const [deployLocal, plaintextPackage] = await Promise.all([
      sls(['deploy', '--stage', 'local'], {}),
      sls(['package', '--stage', 'prod', '--package', packageDir], { BACKOFFICE_TOKEN: 'plaintext-in-the-template' }),
    ]);
    expect(deployLocal.code).not.toBe(0);
    expect(deployLocal.output).toMatch(/Refusing to deploy the "local" stage/);
    expect(plaintextPackage.code).not.toBe(0);
    expect(plaintextPackage.output).toMatch(/Refusing to package the "prod" stage[\s\S]*BACKOFFICE_TOKEN is given in plain text/);
    expect(plaintextPackage.output).not.toContain('plaintext-in-the-template');
  }, 120_000);
});
