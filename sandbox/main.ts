/**
 * CLI: `tsx sandbox/main.ts [--users N] [--seed S] [--port P] [--host H] [--as-of ISO] [--page-cap N]`
 * Serves the four sandbox upstreams until SIGINT/SIGTERM. The port defaults to $SANDBOX_PORT or 4010.
 */
import { parseSandboxArgs, SANDBOX_USAGE, type SandboxCliOptions } from './cli-args';
import { startSandbox } from './server';

async function main(): Promise<void> {
  let options: SandboxCliOptions;
  try {
    options = parseSandboxArgs(process.argv.slice(2), process.env);
  } catch (err) {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n${SANDBOX_USAGE}\n`);
    process.exit(2);
  }
  const started = Date.now();
  const sandbox = await startSandbox(options);
  const { book } = sandbox;
  process.stdout.write(
    [
      `sandbox upstreams listening at ${sandbox.url}`,
      `  users ${book.users.length}, positions ${book.positions.length}, planted ${book.manifest.planted.length} (seed ${book.seed}, asOf ${book.asOf}, page cap ${options.pageCap}, ${Date.now() - started} ms)`,
      `  manifest ${sandbox.url}/__sandbox/manifest   stats ${sandbox.url}/__sandbox/stats   venue accounts ${sandbox.url}/__sandbox/venue-accounts`,
      '  Ctrl-C to stop',
      '',
    ].join('\n'),
  );
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    process.stdout.write(`${signal}: closing the sandbox…\n`);
    sandbox.close().then(
      () => process.exit(0),
      (err: unknown) => {
        process.stderr.write(`close failed: ${err instanceof Error ? err.message : String(err)}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

main().catch((err: unknown) => {
  process.stderr.write(`sandbox failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
