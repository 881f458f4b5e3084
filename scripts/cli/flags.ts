/**
 * The commands' flags, validated before any call with the rules the API applies, so a mistake is
 * reported at once, naming the flag, what was given and (for a closed set) every allowed value.
 */
import { z } from 'zod';
import { discrepancyActionBody, discrepancyIdPath, discrepancyListQuery } from '../../lib/compliance/request-schemas';
import { manualRunBody } from '../../lib/handlers/run-options';
import { UsageError } from './errors';

/** The export formats. */
export const EXPORT_FORMATS = ['csv'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** How long `run` waits for the run to finish by default, in seconds. */
export const DEFAULT_WAIT_SECONDS = 900;

const isoDateTime = z.iso.datetime({ offset: true, error: 'must be an ISO 8601 date-time with a zone, e.g. 2026-01-31T23:59:59Z' });
const WAIT_RANGE = 'must be a whole number of seconds from 1 to 86400';
const wholeSeconds = z.coerce
  .number({ error: WAIT_RANGE })
  .int({ error: WAIT_RANGE })
  .min(1, { error: WAIT_RANGE })
  .max(86_400, { error: WAIT_RANGE });

/** Flags of `run`, as commander collects them (repeatable flags as arrays). */
export interface RunFlags {
  user?: string[];
  asset?: string[];
  check?: string[];
  source?: string[];
  dryRun?: boolean;
  rebuild?: boolean;
  asOf?: string;
  wait?: string;
}

/** The API's own scope rules (ids, allowed checks and sources, limits), with the run's other flags. */
const runFlagsSchema = manualRunBody.omit({ requestedBy: true }).extend({
  asOf: isoDateTime.optional(),
  wait: wholeSeconds,
});
const RUN_FLAG_NAMES = { users: '--user', assets: '--asset', checks: '--check', sources: '--source' };

/**
 * The `POST /runs` body and the wait, from `run`'s flags. A flag not given means everything and
 * is left out of the body.
 * @throws {UsageError}
 */
export function parseRunFlags(flags: RunFlags) {
  const list = (key: keyof typeof RUN_FLAG_NAMES, values: string[] | undefined) =>
    values && values.length > 0 ? { [key]: [...new Set(values)] } : {};
  const { wait, ...request } = parse(
    runFlagsSchema,
    {
      ...list('users', flags.user),
      ...list(
        'assets',
        flags.asset?.map((asset) => asset.toLowerCase()),
      ),
      ...list('checks', flags.check),
      ...list('sources', flags.source),
      ...(flags.dryRun && { dryRun: true }),
      ...(flags.rebuild && { rebuild: true }),
      ...(flags.asOf !== undefined && { asOf: flags.asOf }),
      wait: flags.wait ?? String(DEFAULT_WAIT_SECONDS),
    },
    RUN_FLAG_NAMES,
  );
  return { request, waitSeconds: wait };
}

/** Filters of `list` and `export`, as commander collects them. */
export interface FilterFlags {
  status?: string;
  severity?: string;
  check?: string;
  asset?: string;
  user?: string;
  limit?: string;
  cursor?: string;
}

/**
 * The `GET /discrepancies` query from the filter flags, checked with the API's own schema.
 * @throws {UsageError}
 */
export function parseFilterFlags(flags: FilterFlags) {
  const { limit, cursor, ...filters } = parse(discrepancyListQuery, {
    status: flags.status,
    severity: flags.severity,
    check: flags.check,
    asset: flags.asset?.toLowerCase(),
    user: flags.user,
    limit: flags.limit,
    cursor: flags.cursor,
  });
  return { filters, limit, ...(cursor !== undefined && { cursor }) };
}

/**
 * A discrepancy id argument (`check:userId:asset`).
 * @throws {UsageError}
 */
export function parseDiscrepancyId(id: string): string {
  return parse(discrepancyIdPath, { id }, { id: '<id>' }).id;
}

/**
 * The note `ack` and `resolve` require: the audit trail of the action.
 * @throws {UsageError}
 */
export function parseNote(note: string | undefined): string {
  return parse(discrepancyActionBody, { note }).note;
}

/**
 * The `--format` of `export`.
 * @throws {UsageError}
 */
export function parseExportFormat(format: string | undefined): ExportFormat {
  return parse(z.object({ format: z.enum(EXPORT_FORMATS) }), { format: format ?? 'csv' }).format;
}

/**
 * Parses flags with a schema; every problem becomes one line `--flag "value": what is allowed`.
 * @throws {UsageError}
 */
function parse<S extends z.ZodType>(schema: S, raw: Record<string, unknown>, names: Record<string, string> = {}): z.infer<S> {
  const result = schema.safeParse(raw);
  if (result.success) return result.data;
  throw new UsageError(result.error.issues.map((issue) => describeFlagIssue(issue, raw, names)));
}

function describeFlagIssue(issue: z.core.$ZodIssue, raw: Record<string, unknown>, names: Record<string, string>): string {
  const [key, index] = issue.path;
  const name = typeof key === 'string' ? (names[key] ?? `--${kebab(key)}`) : '(arguments)';
  let given = typeof key === 'string' ? raw[key] : undefined;
  if (Array.isArray(given) && typeof index === 'number') given = given[index];
  const what = issue.code === 'invalid_value' ? `must be one of ${issue.values.map(String).join(', ')}` : issue.message;
  if (typeof given !== 'string') return `${name}: ${what}`;
  // A long value (a 3000-character note) is shown by its start: the problem is what matters.
  return `${name} ${JSON.stringify(given.length > 60 ? `${given.slice(0, 57)}…` : given)}: ${what}`;
}

function kebab(key: string): string {
  return key.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`);
}
