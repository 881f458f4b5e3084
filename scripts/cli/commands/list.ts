import { type CommandContext, type ExitCode, printJson } from '../context';
import { allDiscrepancies } from '../discrepancy-pages';
import { type FilterFlags, parseFilterFlags } from '../flags';
import { renderDiscrepancyList } from '../render';

/** Flags of `list`: the filters, and `--all` to follow every cursor. */
export interface ListFlags extends FilterFlags {
  all?: boolean;
}

/**
 * `recon list`: one page of discrepancies matching the filters (most severe, then most recent,
 * first), or with `--all` every page. With `--json`, the page as the API sent it (`{ items, cursor? }`),
 * or with `--all` one document `{ items }` holding every page's items.
 * @throws {UsageError} before any call; {@link ApiError}, {@link ApiUnreachableError}.
 */
export async function listCommand(context: CommandContext, flags: ListFlags): Promise<ExitCode> {
  const { filters, limit, cursor } = parseFilterFlags(flags);
  const query = { ...filters, limit, ...(cursor !== undefined && { cursor }) };
  if (flags.all) {
    const items = await allDiscrepancies(context.api, query);
    if (context.json) printJson(context.out, { items });
    else context.out.write(`${renderDiscrepancyList(items)}\n${items.length} discrepanc${items.length === 1 ? 'y' : 'ies'}\n`);
    return 0;
  }
  const page = await context.api.listDiscrepancies(query);
  if (context.json) {
    printJson(context.out, page);
    return 0;
  }
  context.out.write(`${renderDiscrepancyList(page.items)}\n`);
  if (page.cursor) context.out.write(`more match: add --all for every page, or --cursor ${page.cursor} for the next\n`);
  return 0;
}
