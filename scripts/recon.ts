/**
 * `npm run recon -- <command>`: the analysts' command line over the HTTP API — start a run and
 * follow it, list, show, acknowledge, resolve and export discrepancies. Commander parses; each
 * command lives in `scripts/cli/commands/` and takes the API client and the output streams.
 * Exit codes: 0 done, 1 error, 2 a partial run, 3 a failed or skipped run.
 */
import { Command } from 'commander';
import { SOURCE_NAMES } from '../lib/api/schemas';
import { HttpReconApi } from './cli/api-client';
import { cachedSessionToken } from './cli/auth/cached-session';
import { actCommand, registerAct } from './cli/commands/act';
import { exportCommand } from './cli/commands/export';
import { listCommand } from './cli/commands/list';
import { type LoginFlags, loginCommand, logoutCommand } from './cli/commands/login';
import { runCommand } from './cli/commands/run';
import { runsCommand } from './cli/commands/runs';
import { showCommand } from './cli/commands/show';
import { registerVerifyHistory } from './cli/commands/verify-history';
import type { CommandContext, ExitCode } from './cli/context';
import { describeError } from './cli/errors';
import { DEFAULT_WAIT_SECONDS, EXPORT_FORMATS } from './cli/flags';
import { DEFAULT_API_URL, DEFAULT_LOCAL_USER, readSettings } from './cli/settings';
import { CLI_VERSION } from './cli/version';

interface GlobalFlags {
  json?: boolean;
  token?: string;
  as?: string;
  apiUrl?: string;
}

/** Runs one command with the settings of the global flags; errors become a message on stderr and exit code 1. */
async function execute(command: Command, action: (context: CommandContext) => Promise<ExitCode>): Promise<void> {
  const flags = command.optsWithGlobals<GlobalFlags>();
  let local = true;
  try {
    const notice = (line: string) => process.stderr.write(`note: ${line}\n`);
    const given = Boolean(flags.token?.trim() || process.env.RECON_TOKEN?.trim());
    const sessionToken = given ? undefined : await cachedSessionToken(process.env, notice);
    const settings = readSettings({ apiUrl: flags.apiUrl, token: flags.token, as: flags.as, sessionToken, env: process.env });
    local = settings.local;
    for (const notice of settings.notices) process.stderr.write(`note: ${notice}\n`);
    const api = new HttpReconApi({ baseUrl: settings.baseUrl, token: settings.token });
    process.exitCode = await action({ api, out: process.stdout, err: process.stderr, json: flags.json ?? false });
  } catch (error) {
    process.stderr.write(`${describeError(error, { local }).join('\n')}\n`);
    process.exitCode = 1;
  }
}

/** Runs `login` or `logout`, which need no API client; messages go to stderr, errors become exit code 1. */
async function signIn(command: Command, action: (say: (line: string) => void, flags: LoginFlags) => Promise<ExitCode>): Promise<void> {
  try {
    process.exitCode = await action((line) => process.stderr.write(`${line}\n`), command.optsWithGlobals<LoginFlags>());
  } catch (error) {
    process.stderr.write(`${describeError(error, { local: false }).join('\n')}\n`);
    process.exitCode = 1;
  }
}

const collect = (value: string, previous: string[]) => [...previous, value];

function filterOptions(command: Command): Command {
  return command
    .option('--status <status>', 'open, acknowledged or resolved')
    .option('--severity <severity>', 'low, medium, high or critical')
    .option('--check <id>', 'a check id, e.g. cross-source')
    .option('--asset <id>', 'an asset id, e.g. btc')
    .option('--user <id>', 'a user id')
    .option('--limit <n>', 'page size, 1–100');
}

const program = new Command('recon')
  .description('Balance reconciliation from the command line: runs and discrepancies over the HTTP API.')
  .version(CLI_VERSION, '-V, --version', 'print the version')
  .option('--json', "print the API's JSON (one document) instead of tables")
  .option('--token <jwt>', 'bearer token with the read or act role (default: RECON_TOKEN, then the `login` session)')
  .option('--as <email>', `subject of a locally signed token (default: RECON_USER or ${DEFAULT_LOCAL_USER})`)
  .option('--api-url <url>', `base URL of the API (default: RECON_API_URL or ${DEFAULT_API_URL})`)
  .showHelpAfterError('(add --help for usage)')
  .addHelpText(
    'after',
    `
Exit codes: 0 done, 1 error (bad flags, API error, API unreachable), 2 run partial, 3 run failed or skipped.
Sign in first: \`recon login\` (AUTH_ISSUER_URL, RECON_CLIENT_ID), or \`recon login --local\` for the local stack.
Examples:
  npm run recon -- run --check cross-source --asset btc
  npm run recon -- runs --limit 10
  npm run recon -- list --status open --severity critical --all
  npm run recon -- show cross-source:u1:btc
  npm run recon -- ack cross-source:u1:btc --note "known: deposit in transit, ticket OPS-12"
  npm run -s recon -- export --format csv --status open --output open.csv`,
  );

program
  .command('run')
  .description('start a reconciliation run, follow it, print its summary')
  .option('--user <id>', 'only this user (repeatable)', collect, [])
  .option('--asset <id>', 'only this asset (repeatable)', collect, [])
  .option('--check <id>', 'only this check (repeatable)', collect, [])
  .option('--source <name>', `only this source: ${SOURCE_NAMES.join(', ')} (repeatable)`, collect, [])
  .option('--dry-run', 'check everything, record nothing, alert nothing')
  .option('--rebuild', "read every user's whole history and rebuild the running totals (slower; verifies them)")
  .option('--as-of <iso>', 'as-of time, ISO 8601 with a zone (default: now)')
  .option('--wait <seconds>', `how long to wait for the run (default ${DEFAULT_WAIT_SECONDS})`)
  .action((flags, command: Command) => execute(command, (context) => runCommand(context, flags)));

program
  .command('runs')
  .description('list runs, newest first (queued and running ones included)')
  .option('--limit <n>', 'page size, 1–100 (default 25)')
  .option('--cursor <cursor>', 'start at this page (from a previous runs)')
  .option('--all', 'follow every page')
  .action((flags, command: Command) => execute(command, (context) => runsCommand(context, flags)));

filterOptions(program.command('list').description('list discrepancies (most severe, then most recent, first)'))
  .option('--cursor <cursor>', 'start at this page (from a previous list)')
  .option('--all', 'follow every page')
  .action((flags, command: Command) => execute(command, (context) => listCommand(context, flags)));

program
  .command('show')
  .description('one discrepancy: figures, evidence, history')
  .argument('<id>', 'discrepancy id, check:userId:asset')
  .action((id: string, _flags, command: Command) => execute(command, (context) => showCommand(context, id)));

for (const [name, action] of [
  ['ack', 'acknowledge'],
  ['resolve', 'resolve'],
] as const) {
  program
    .command(name)
    .description(`${action} a discrepancy, with a note (required: it is the audit trail)`)
    .argument('<id>', 'discrepancy id, check:userId:asset')
    .option('--note <text>', 'why (required)')
    .action((id: string, flags: { note?: string }, command: Command) =>
      execute(command, (context) => actCommand(context, action, id, flags)),
    );
}

registerAct(program, execute);
registerVerifyHistory(program, execute);

filterOptions(program.command('export').description('every matching discrepancy, all pages, as CSV'))
  .option('--format <format>', `${EXPORT_FORMATS.join(', ')} (default csv)`)
  .option('--output <file>', 'write to this file instead of stdout')
  .action((flags, command: Command) => execute(command, (context) => exportCommand(context, flags)));

program
  .command('login')
  .description('sign in (OIDC device flow, or --browser) and cache the session for the other commands')
  .option('--browser', 'sign in through a browser (authorization code + PKCE, loopback redirect) even if the device flow is offered')
  .option('--redirect-uri <url>', 'with --browser: the loopback redirect registered with the issuer, e.g. http://localhost:8765/callback')
  .option('--local', 'sign in to the local stack (POST /dev/token) as --as, RECON_USER or the default user')
  .option('--read', 'with --local: the read role only')
  .action((_flags, command: Command) => signIn(command, (say, flags) => loginCommand({ env: process.env, say }, flags)));

program
  .command('logout')
  .description('delete the cached session')
  .action((_flags, command: Command) => signIn(command, (say) => logoutCommand({ env: process.env, say })));

// A reader that stops early (`| head`) is not an error.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw error;
});

program.parseAsync(process.argv).catch((error: unknown) => {
  process.stderr.write(`${describeError(error, { local: true }).join('\n')}\n`);
  process.exitCode = 1;
});
