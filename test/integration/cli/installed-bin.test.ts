import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';

const run = promisify(execFile);
const packageJson = z.object({ version: z.string() }).parse(JSON.parse(await readFile('package.json', 'utf8')));

let dir: string;
let recon: (...args: string[]) => Promise<{ stdout: string; stderr: string }>;

/** Where npm puts the global install's bin, far from this checkout: only Node and the installed package are there. */
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'recon-installed-'));
  // `npm pack` runs `prepack` (scripts/build-cli.ts): the tarball holds the bundle, built now.
  const { stdout } = await run('npm', ['pack', '--pack-destination', dir, '--silent'], { maxBuffer: 16 * 1024 * 1024 });
  const tarball = join(dir, stdout.trim().split('\n').at(-1) ?? '');
  const prefix = join(dir, 'global');
  await run('npm', ['install', '--global', '--prefix', prefix, tarball, '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts']);
  const { PATH: _path, NODE_PATH: _nodePath, ...env } = process.env;
  recon = (...args) =>
    run(join(prefix, 'bin', 'recon'), args, { cwd: dir, env: { ...env, PATH: `${join(prefix, 'bin')}:${dirname(process.execPath)}` } });
}, 170_000);

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('recon installed from the packed tarball (npm install -g)', () => {
  it('prints the package version', async () => {
    expect((await recon('--version')).stdout.trim()).toBe(packageJson.version);
  });

  it('prints its help, naming the commands, with no tsx and no checkout around it', async () => {
    const { stdout } = await recon('--help');
    expect(stdout).toMatch(/^Usage: recon /);
    for (const command of ['run', 'list', 'show', 'export', 'login', 'logout']) expect(stdout).toContain(`  ${command}`);
  });

  it('holds the bundle only: the tarball lists package.json, the README and bin/recon.cjs', async () => {
    const { stdout } = await run('tar', ['tzf', join(dir, `balance-recon-${packageJson.version}.tgz`)]);
    expect(stdout.trim().split('\n').sort()).toEqual(['package/README.md', 'package/bin/recon.cjs', 'package/package.json']);
  });
});
