import { CHECK_IDS } from '../../lib/domain/check-id';
import type { DiscrepancyRef, RunSummary } from '../../lib/ports/run-summary';

const SOURCE_ORDER = ['backoffice', 'reporting', 'multimarkets', 'indx'];

/**
 * The lines `npm start` prints for a finished run, whatever it ran against: the run, each check's
 * verdict counts, each source's health (with any schema drift) and the discrepancies' totals,
 * checks and sources in one order every run (the stored summary's keys come in any order).
 */
export function runSummaryLines(summary: RunSummary, alertsDelivered: number, elapsed: string): string[] {
  const lines = [`run ${summary.runId}: ${summary.status}, ${summary.users} users, ${summary.positions} positions, ${elapsed} since start`];
  for (const [check, tally] of inOrder(summary.checks, CHECK_IDS)) {
    lines.push(`  ${check}: ${tally.match} match, ${tally.mismatch} mismatch, ${tally['in-flight']} in-flight, ${tally.unknown} unknown`);
  }
  for (const [source, health] of inOrder(summary.sources, SOURCE_ORDER)) {
    lines.push(`  source ${source}: ${health.status}${health.firstError ? ` (${health.firstError})` : ''}`);
    for (const drift of health.drift ?? []) lines.push(`    drifted: ${drift.endpoint} sent ${drift.fields.join(', ')}`);
  }
  lines.push(
    `  discrepancies recorded: ${summary.discrepancies.total}, alerts published: ${summary.discrepancies.opened}, delivered to the local subscriber: ${alertsDelivered}`,
  );
  if (summary.discrepancies.truncated) lines.push('  (the summary lists the first discrepancies only; DynamoDB has them all)');
  return lines;
}

function inOrder<T>(record: Partial<Record<string, T>>, order: readonly string[]): [string, T][] {
  const rank = (key: string) => (order.includes(key) ? order.indexOf(key) : order.length);
  return Object.entries(record)
    .filter((entry): entry is [string, T] => entry[1] !== undefined)
    .sort(([a], [b]) => rank(a) - rank(b));
}

/** One line per listed discrepancy (at most `limit`), for a run with no ground truth to compare with. */
export function discrepancyLines(items: readonly DiscrepancyRef[], limit = 50): string[] {
  const lines = items
    .slice(0, limit)
    .map(
      (item) =>
        `  ${item.severity} ${item.check} user ${item.userId} ${item.asset} ${item.field}: expected ${item.expected}, actual ${item.actual}, difference ${item.difference}`,
    );
  if (items.length > limit) lines.push(`  … and ${items.length - limit} more (GET /discrepancies lists them all)`);
  return lines;
}
