import type { PressureReport } from '../../ports/metrics';
import type { SourceName } from '../../ports/upstream';

/**
 * Counts the rate limits, bans and retries the upstream clients meet, for the run metrics: a
 * MultiMarkets 418 means the IP is banned, and a run spending its whole retry budget means a
 * source is struggling, both long before a check turns `unknown`. One per container, shared by
 * every client like the retry budget; drained at the end of each invocation, so a warm
 * container's next run starts from zero.
 */
export class UpstreamPressure {
  private readonly limited = new Map<string, { source: SourceName; status: 429 | 418; count: number }>();
  private readonly retried = new Map<SourceName, number>();

  /** `source` answered 429 (rate limited) or 418 (banned). */
  rateLimited(source: SourceName, status: 429 | 418): void {
    const key = `${source}:${status}`;
    const entry = this.limited.get(key) ?? { source, status, count: 0 };
    entry.count++;
    this.limited.set(key, entry);
  }

  /** A call to `source` is retried (one retry taken from the run's budget). */
  retry(source: SourceName): void {
    this.retried.set(source, (this.retried.get(source) ?? 0) + 1);
  }

  /** What was counted since the last drain; the counters start again from zero. */
  drain(): PressureReport {
    const report: PressureReport = {
      rateLimited: [...this.limited.values()],
      retries: [...this.retried].map(([source, count]) => ({ source, count })),
    };
    this.limited.clear();
    this.retried.clear();
    return report;
  }
}
