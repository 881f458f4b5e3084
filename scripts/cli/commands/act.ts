import type { Command } from 'commander';
import type { DiscrepancyAction } from '../api-client';
import { type CommandContext, type ExitCode, printJson } from '../context';
import { UsageError } from '../errors';
import { parseDiscrepancyId, parseNote } from '../flags';
import { renderActed } from '../render';

/** The actions `recon act` takes. */
const ACTIONS = ['acknowledge', 'assign', 'resolve', 'approve', 'reject'] as const satisfies readonly DiscrepancyAction[];

/**
 * `recon ack|resolve <id> --note <text>` and `recon act <action> <id> --note <text> [--assignee <user>]`: a
 * person acknowledges, assigns, resolves (a high or critical one: proposes), approves or rejects a proposed
 * resolution. The note is the audit trail: without one, nothing is called; `assign` needs `--assignee`. With
 * `--json`, the discrepancy as the API returns it after the change.
 * @throws {UsageError} for a malformed id, a missing note or assignee, before any call; {@link ApiError} (404 unknown id,
 * 403 the proposer approving, 409 status does not allow it), {@link ApiUnreachableError}.
 */
export async function actCommand(
  context: CommandContext,
  action: DiscrepancyAction,
  id: string,
  flags: { note?: string; assignee?: string },
): Promise<ExitCode> {
  const checkedId = parseDiscrepancyId(id);
  const note = parseNote(flags.note);
  if (action === 'assign' && !flags.assignee) throw new UsageError(['--assignee <user> is required to assign']);
  const updated = await context.api.actOnDiscrepancy(action, checkedId, note, action === 'assign' ? flags.assignee : undefined);
  if (context.json) printJson(context.out, updated);
  else context.out.write(`${renderActed(updated)}\n`);
  return 0;
}

/** Adds `act <action> <id>` to the command line; `execute` is the CLI's runner (global flags, errors, exit code). */
export function registerAct(
  program: Command,
  execute: (command: Command, action: (context: CommandContext) => Promise<ExitCode>) => Promise<void>,
): void {
  program
    .command('act')
    .description(`${ACTIONS.join(', ')} a discrepancy, with a note (required: it is the audit trail)`)
    .argument('<action>', ACTIONS.join('|'))
    .argument('<id>', 'discrepancy id, check:userId:asset')
    .option('--note <text>', 'why (required)')
    .option('--assignee <user>', 'to whom (assign only)')
    .action((action: string, id: string, flags: { note?: string; assignee?: string }, command: Command) =>
      execute(command, (context) => actCommand(context, actionOf(action), id, flags)),
    );
}

/** The action named on the command line. @throws {UsageError} */
function actionOf(name: string): DiscrepancyAction {
  const action = ACTIONS.find((known) => known === name);
  if (!action) throw new UsageError([`<action> must be one of ${ACTIONS.join(', ')}`]);
  return action;
}
