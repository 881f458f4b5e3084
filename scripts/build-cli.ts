/**
 * `npm pack` runs this first (package.json `prepack`): bundles the CLI (scripts/recon.ts and all it
 * imports, packages included) into `bin/recon.cjs`, the package's `recon` bin, so an installed
 * `recon` runs on Node alone — no tsx, no devDependency, no `node_modules` of its own. The bundle is
 * built, not committed (.gitignore); `npm run recon -- …` keeps running the sources with tsx.
 */
import { chmod } from 'node:fs/promises';
import { build } from 'esbuild';

/** Where the bin is written: package.json `bin.recon` names it. */
const CLI_BUNDLE = 'bin/recon.cjs';

/** Writes the bundle and makes it executable. */
async function buildCli(): Promise<void> {
  await build({
    entryPoints: ['scripts/recon.ts'],
    outfile: CLI_BUNDLE,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    minify: true,
    banner: { js: '#!/usr/bin/env node' },
    logLevel: 'warning',
  });
  await chmod(CLI_BUNDLE, 0o755);
}

buildCli().catch((error: unknown) => {
  process.stderr.write(`build-cli: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
