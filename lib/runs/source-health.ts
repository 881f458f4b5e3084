import type { Settled } from '../policy/circuit-breaker';
import type { SourceHealth } from '../ports/run-summary';
import { SourceError } from '../ports/source-error';
import type { AnsweredEndpoint, DriftReport, SourceName } from '../ports/upstream';

/**
 * Collects source failures during a run. A source with any failure is `degraded`; one that
 * failed where nothing could proceed without it is `unavailable`.
 */
export class SourceHealthTracker {
  private readonly health = new Map<SourceName, SourceHealth>();

  /** A tracker that goes on from a checkpointed report (a resumed shard). */
  static from(report: Partial<Record<SourceName, SourceHealth>>): SourceHealthTracker {
    const tracker = new SourceHealthTracker();
    tracker.merge(report);
    return tracker;
  }

  /** Adds another tracker's report (another shard of the run): failures add up, the worst status and the first error win. */
  merge(report: Partial<Record<SourceName, SourceHealth>>): void {
    for (const [source, other] of Object.entries(report) as [SourceName, SourceHealth][]) {
      const entry = this.health.get(source);
      if (!entry) {
        this.health.set(source, { ...other });
        continue;
      }
      entry.failures += other.failures;
      entry.firstError ??= other.firstError;
      addEndpoints(entry, 'failingEndpoints', other.failingEndpoints);
      addEndpoints(entry, 'answeredEndpoints', other.answeredEndpoints);
      if (other.status === 'unavailable' || (other.status === 'degraded' && entry.status === 'ok')) entry.status = other.status;
      if (other.drift) entry.drift = [...(entry.drift ?? []), ...other.drift];
    }
  }

  /** Notes that `source` answered (creates its entry as `ok`). */
  used(source: SourceName): void {
    if (!this.health.has(source)) this.health.set(source, { status: 'ok', failures: 0 });
  }

  /** Notes a failed call; `fatal` when the run cannot go on without that answer. */
  failed(source: SourceName, error: unknown, fatal = false): void {
    const entry = this.health.get(source) ?? { status: 'ok', failures: 0 };
    entry.failures++;
    entry.firstError ??= describeError(error);
    addEndpoints(entry, 'failingEndpoints', [error instanceof SourceError ? error.endpoint : '*']);
    entry.status = fatal ? 'unavailable' : entry.status === 'unavailable' ? 'unavailable' : 'degraded';
    this.health.set(source, entry);
  }

  /** Notes the endpoints the clients saw answer (drained from their log; nothing without one). */
  answeredAll(answered: readonly AnsweredEndpoint[] | undefined): void {
    for (const { source, endpoint } of answered ?? []) {
      this.used(source);
      addEndpoints(this.health.get(source) as SourceHealth, 'answeredEndpoints', [endpoint]);
    }
  }

  /** Notes the outcome of one settled call to `source`. */
  note(source: SourceName, result: Settled<unknown>): void {
    if (result.ok) this.used(source);
    else this.failed(source, result.error);
  }

  /** Notes unknown fields an endpoint sent (the run still used what it understood). */
  drifted(report: DriftReport): void {
    const entry = this.health.get(report.source) ?? { status: 'ok', failures: 0 };
    entry.drift = [...(entry.drift ?? []), { endpoint: report.endpoint, fields: report.fields }];
    this.health.set(report.source, entry);
  }

  /** Whether any source failed. */
  get anyFailed(): boolean {
    return [...this.health.values()].some((entry) => entry.failures > 0);
  }

  /** The per-source report for the run summary. */
  report(): Partial<Record<SourceName, SourceHealth>> {
    return Object.fromEntries(this.health);
  }
}

/** Adds endpoints to one of an entry's endpoint lists, each once, sorted. */
function addEndpoints(entry: SourceHealth, list: 'failingEndpoints' | 'answeredEndpoints', endpoints: readonly string[] | undefined): void {
  if (!endpoints) return;
  entry[list] = [...new Set([...(entry[list] ?? []), ...endpoints])].sort();
}

/** A failure as it may appear in a summary or alert: SourceError messages are built to be safe to show. */
function describeError(error: unknown): string {
  if (error instanceof SourceError) return error.message;
  return error instanceof Error ? error.name : 'unknown error';
}
