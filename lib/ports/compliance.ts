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
