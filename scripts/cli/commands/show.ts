import { type CommandContext, type ExitCode, printJson } from '../context';
import { parseDiscrepancyId } from '../flags';
import { renderDiscrepancy } from '../render';

/**
 * `recon show <id>`: one discrepancy, its evidence and its history. With `--json`, the API's
 * `{ discrepancy, history }`.
 * @throws {UsageError} for a malformed id, before any call; {@link ApiError} (404 for an unknown id), {@link ApiUnreachableError}.
 */
export async function showCommand(context: CommandContext, id: string): Promise<ExitCode> {
  const detail = await context.api.getDiscrepancy(parseDiscrepancyId(id));
  if (context.json) printJson(context.out, detail);
  else context.out.write(`${renderDiscrepancy(detail)}\n`);
  return 0;
}
