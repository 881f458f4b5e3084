import type { Command } from 'commander';
import type { ChainBreak } from '../../../lib/api/schemas';
import { type CommandContext, type ExitCode, printJson } from '../context';

/** Discrepancies per page asked of `GET /history/verify` (its most). */
const PAGE = 100;

/** How a broken chain is named: the discrepancy, its first entry that does not verify (place, type, time) and why. */
export function renderChainBreak(broken: ChainBreak): string {
  const place = [broken.seq !== undefined ? `entry ${broken.seq}` : 'its head', broken.type, broken.at].filter(Boolean).join(' ');
  return `${broken.discrepancyId}: ${place}: ${broken.problem}`;
}

/**
 * `recon verify-history`: every discrepancy's history chain checked, page by page through
 * `GET /history/verify`, with progress on stderr; each broken chain named by its first entry that does
 * not verify. Exit 1 when any is broken. With `--json`, `{ checked, broken }` once all pages are read.
 * @throws {ApiError}, {@link ApiUnreachableError} when a page cannot be read.
 */
export async function verifyHistoryCommand(context: CommandContext): Promise<ExitCode> {
  const broken: ChainBreak[] = [];
  let checked = 0;
  let cursor: string | undefined;
  do {
    const page = await context.api.verifyHistory({ limit: PAGE, ...(cursor !== undefined && { cursor }) });
    checked += page.checked;
    broken.push(...page.broken);
    if (!context.json) for (const chain of page.broken) context.out.write(`${renderChainBreak(chain)}\n`);
    context.err.write(`checked ${checked} discrepancies, ${broken.length} broken\n`);
    cursor = page.cursor;
  } while (cursor !== undefined);
  if (context.json) printJson(context.out, { checked, broken });
  else
    context.out.write(
      broken.length === 0 ? `all ${checked} histories verify\n` : `${broken.length} of ${checked} histories do not verify\n`,
    );
  return broken.length === 0 ? 0 : 1;
}

/** Adds `verify-history` to the command line; `execute` is the CLI's runner (global flags, errors, exit code). */
export function registerVerifyHistory(
  program: Command,
  execute: (command: Command, action: (context: CommandContext) => Promise<ExitCode>) => Promise<void>,
): void {
  program
    .command('verify-history')
    .description("check every discrepancy's tamper-evident history; names each broken chain's first bad entry (exit 1 if any)")
    .action((_flags, command: Command) => execute(command, verifyHistoryCommand));
}
