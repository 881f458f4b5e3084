import type { PressureReport } from '../ports/metrics';
import type { RunSummary } from '../ports/run-summary';

/** The metrics a run emits; names as they appear in CloudWatch (namespace `BalanceRecon`), and as the template's alarms and dashboard name them. */
export const METRIC_NAMES = [
  'Runs',
  'RunDuration',
  'DiscrepanciesFound',
  'DiscrepanciesOpened',
  'SourceFailures',
  'VenueAccountsOverdue',
  'UpstreamRateLimited',
  'UpstreamRetries',
] as const;

/** One of {@link METRIC_NAMES}. */
export type MetricName = (typeof METRIC_NAMES)[number];

/** One data point: a metric, its unit, its value and the dimensions it adds to `service` and `stage`. */
export interface MetricPoint {
  name: MetricName;
  unit: 'Count' | 'Milliseconds';
  value: number;
  dimensions: Record<string, string>;
}

/**
 * The data points of a run's end: `Runs` by status (the "no complete run" alarm reads
 * `status=complete`), its duration, the discrepancies found and opened by severity, each source's
 * failures and each venue's overdue accounts. Zeros are emitted too, so a quiet run shows as 0,
 * not as missing data.
 *
 * @example runEndedPoints(summary) // [{ name: 'Runs', unit: 'Count', value: 1, dimensions: { status: 'complete' } }, …]
 */
export function runEndedPoints(summary: RunSummary): MetricPoint[] {
  const points: MetricPoint[] = [{ name: 'Runs', unit: 'Count', value: 1, dimensions: { status: summary.status } }];
  if (summary.status === 'skipped') return points;
  const durationMs = Date.parse(summary.finishedAt) - Date.parse(summary.startedAt);
  points.push(
    { name: 'RunDuration', unit: 'Milliseconds', value: Math.max(0, durationMs), dimensions: {} },
    { name: 'DiscrepanciesFound', unit: 'Count', value: summary.discrepancies.total, dimensions: {} },
  );
  for (const severity of ['low', 'medium', 'high', 'critical'] as const) {
    const value = summary.discrepancies.openedBySeverity?.[severity] ?? 0;
    points.push({ name: 'DiscrepanciesOpened', unit: 'Count', value, dimensions: { severity } });
  }
  for (const [source, health] of Object.entries(summary.sources)) {
    points.push({ name: 'SourceFailures', unit: 'Count', value: health?.failures ?? 0, dimensions: { source } });
  }
  for (const [venue, coverage] of Object.entries(summary.venues ?? {})) {
    points.push({ name: 'VenueAccountsOverdue', unit: 'Count', value: coverage?.overdue ?? 0, dimensions: { venue } });
  }
  return points;
}

/** The data points of an invocation's upstream pressure: 429s and 418s per source, retries per source; nothing when there was none. */
export function pressurePoints(report: PressureReport): MetricPoint[] {
  return [
    ...report.rateLimited.map(
      ({ source, status, count }): MetricPoint => ({
        name: 'UpstreamRateLimited',
        unit: 'Count',
        value: count,
        dimensions: { source, status: String(status) },
      }),
    ),
    ...report.retries.map(
      ({ source, count }): MetricPoint => ({ name: 'UpstreamRetries', unit: 'Count', value: count, dimensions: { source } }),
    ),
  ];
}
