import type { DiscrepancyAction } from '../api-client';
import { type CommandContext, type ExitCode, printJson } from '../context';
import { parseDiscrepancyId, parseNote } from '../flags';
import { renderActed } from '../render';

/**
 * `recon ack <id> --note <text>` and `recon resolve <id> --note <text>`: a person acknowledges or
 * resolves a discrepancy. The note is the audit trail: without one, nothing is called. With
 * `--json`, the discrepancy as the API returns it after the change.
 * @throws {UsageError} for a malformed id or a missing note, before any call; {@link ApiError} (404 unknown id, 409 status does not allow it), {@link ApiUnreachableError}.
 */
export async function actCommand(
  context: CommandContext,
  action: DiscrepancyAction,
  id: string,
  flags: { note?: string },
): Promise<ExitCode> {
  const checkedId = parseDiscrepancyId(id);
  const note = parseNote(flags.note);
  const updated = await context.api.actOnDiscrepancy(action, checkedId, note);
  if (context.json) printJson(context.out, updated);
  else context.out.write(`${renderActed(updated)}\n`);
  return 0;
}
