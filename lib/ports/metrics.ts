import type { RunSummary } from './run-summary';
import type { SourceName } from './upstream';
/**
 * Where a run reports what it did, for alarms and the dashboard (docs/operations.md). A port, so
 * the use case does not know CloudWatch: `wiring.ts` passes the Powertools (EMF) adapter, tests a fake.
 */
export interface RunMetrics {
  /** A run ended (complete, partial, failed or skipped; dry runs are not reported): its summary. */
  runEnded(summary: RunSummary): void;
  /** What one run invocation met upstream (each shard invocation reports its own). */
  upstreamPressure(report: PressureReport): void;
}

/** What one invocation met upstream: rate limits (429) and bans (418) per source, and retries spent per source. */
export interface PressureReport {
  rateLimited: { source: SourceName; status: 429 | 418; count: number }[];
  retries: { source: SourceName; count: number }[];
}
