import type { RunState } from '../../../lib/api/schemas';
import { inProgress } from '../../../lib/api/schemas';
import { runListQuery } from '../../../lib/compliance/request-schemas';
import { type CommandContext, type ExitCode, printJson } from '../context';
import { allPages } from '../discrepancy-pages';
import { UsageError } from '../errors';
import { renderTable } from '../render';

/** Flags of `runs`: the page size, where to start, and `--all` to follow every cursor. */
export interface RunsFlags {
  limit?: string;
  cursor?: string;
  all?: boolean;
}

/**
 * `recon runs`: one page of runs newest first (queued and running ones included), or with `--all` every page.
 * With `--json`, the page as the API sent it (`{ items, cursor? }`), or with `--all` one document `{ items }`.
 * @throws {UsageError} before any call; {@link ApiError}, {@link ApiUnreachableError}.
 */
export async function runsCommand(context: CommandContext, flags: RunsFlags): Promise<ExitCode> {
  const parsed = runListQuery.safeParse({ limit: flags.limit, cursor: flags.cursor });
  if (!parsed.success) throw new UsageError(parsed.error.issues.map((issue) => `--${String(issue.path[0])}: ${issue.message}`));
  const { limit, cursor } = parsed.data;
  if (flags.all) {
    const items = await allPages(
      'GET /runs',
      (next) => context.api.listRuns({ limit, ...(next !== undefined && { cursor: next }) }),
      cursor,
    );
    if (context.json) printJson(context.out, { items });
    else context.out.write(`${renderRunList(items)}\n${items.length} run${items.length === 1 ? '' : 's'}\n`);
    return 0;
  }
  const page = await context.api.listRuns({ limit, ...(cursor !== undefined && { cursor }) });
  if (context.json) {
    printJson(context.out, page);
    return 0;
  }
  context.out.write(`${renderRunList(page.items)}\n`);
  if (page.cursor) context.out.write(`more runs: add --all for every page, or --cursor ${page.cursor} for the next\n`);
  return 0;
}

/** Runs as a table: id, trigger (and who), status, started, finished, users, positions, breaks opened and resolved. */
export function renderRunList(runs: readonly RunState[]): string {
  const rows = runs.map((run) => {
    if (inProgress(run)) {
      const progress = run.progress;
      return [run.runId, '', run.status, '', '', String(progress?.users ?? ''), String(progress?.positions ?? ''), '', ''];
    }
    const trigger = run.trigger.by ? `${run.trigger.type} (${run.trigger.by})` : run.trigger.type;
    const { opened, resolved } = run.discrepancies;
    const status = run.dryRun ? `${run.status} (dry)` : run.status;
    return [
      run.runId,
      trigger,
      status,
      run.startedAt,
      run.finishedAt,
      String(run.users),
      String(run.positions),
      String(opened),
      String(resolved ?? 0),
    ];
  });
  const head = ['run', 'trigger', 'status', 'started', 'finished', 'users', 'positions', 'opened', 'resolved'];
  return renderTable(head, rows, ['left', 'left', 'left', 'left', 'left', 'right', 'right', 'right', 'right']);
}
