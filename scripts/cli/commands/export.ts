import { rename, rm, writeFile } from 'node:fs/promises';
import type { DiscrepancyAnswer } from '../../../lib/api/schemas';
import { type CommandContext, type ExitCode, jsonDocument } from '../context';
import { allDiscrepancies } from '../discrepancy-pages';
import { type ExportFormat, type FilterFlags, parseExportFormat, parseFilterFlags } from '../flags';
import { discrepanciesCsv } from '../render';

/** Flags of `export`: the filters of `list` (its `--limit` is the page size), the format and the file. */
export interface ExportFlags extends Omit<FilterFlags, 'cursor'> {
  format?: string;
  output?: string;
}

/** The largest page the API serves: fewest calls for a whole export. */
const EXPORT_PAGE_SIZE = '100';

const FORMATTERS: Record<ExportFormat, (items: readonly DiscrepancyAnswer[]) => string> = { csv: discrepanciesCsv };

/**
 * `recon export --format csv`: every discrepancy matching the filters, all pages, as RFC 4180 CSV
 * (or with `--json` one document `{ items }`), to stdout or to `--output`. The file is written
 * only once every page has arrived, through a temporary file renamed into place, so a failed
 * export never leaves half a file.
 * @throws {UsageError} before any call; {@link ApiError}, {@link ApiUnreachableError}.
 */
export async function exportCommand(context: CommandContext, flags: ExportFlags): Promise<ExitCode> {
  const format = parseExportFormat(flags.format);
  const { filters, limit } = parseFilterFlags({ ...flags, limit: flags.limit ?? EXPORT_PAGE_SIZE });
  const items = await allDiscrepancies(context.api, { ...filters, limit });
  const text = context.json ? jsonDocument({ items }) : FORMATTERS[format](items);
  if (flags.output === undefined) {
    context.out.write(text);
    return 0;
  }
  const temporary = `${flags.output}.${process.pid}.tmp`;
  try {
    await writeFile(temporary, text, 'utf8');
    await rename(temporary, flags.output);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
  context.err.write(`wrote ${items.length} discrepanc${items.length === 1 ? 'y' : 'ies'} to ${flags.output}\n`);
  return 0;
}
