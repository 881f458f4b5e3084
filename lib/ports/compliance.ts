import type { DiscrepancyState, DiscrepancyStatus, LifecycleEvent } from '../domain/lifecycle';
import type { Severity } from '../domain/severity';
import type { RunSummary } from './run-summary';
/** Filters of the discrepancy list; all optional, combined with AND. */
export interface DiscrepancyFilter {
  status?: DiscrepancyStatus;
  severity?: Severity;
  check?: string;
  asset?: string;
  userId?: string;
}

/** What the compliance interface reads and changes, served by keys and indexes. */
export interface CompliancePort {
  getRun(runId: string): Promise<RunSummary | undefined>;
  list(filter: DiscrepancyFilter, page: { limit: number; cursor?: string }): Promise<{ items: DiscrepancyState[]; cursor?: string }>;
  get(id: string): Promise<DiscrepancyState | undefined>;
  /** Its history, oldest first, the opening included. */
  history(discrepancy: DiscrepancyState): Promise<LifecycleEvent[]>;
  save(next: DiscrepancyState, event: LifecycleEvent | undefined, expectedVersion: number | undefined): Promise<void>;
}

/** What the history check reads, and nothing else: every discrepancy a page at a time (in the table's order), and each one's history. */
export interface HistoryAuditPort {
  scan(page: { limit: number; cursor?: string }): Promise<{ items: DiscrepancyState[]; cursor?: string }>;
  /** Its history, oldest first, the opening included (as `CompliancePort.history`). */
  history(discrepancy: DiscrepancyState): Promise<LifecycleEvent[]>;
}
