import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { DiscrepancyState, LifecycleEvent } from '../domain/lifecycle';
import type { IdentifiedAlert } from '../ports/alerts';
import type { CompliancePort, DiscrepancyFilter } from '../ports/compliance';
import type { RunSummary } from '../ports/run-summary';
import type { DiscrepancyStore, DiscrepancyWrite, RunStart, StoredSourceState } from '../ports/store';
import type { SourceName } from '../ports/upstream';
import { DynamoDbDiscrepancies, type OutboxRecorder } from './dynamodb-discrepancies';
import { DynamoDbRunRegistry } from './dynamodb-run-registry';
import { DynamoDbSourceStates } from './dynamodb-source-states';

export { statusOrder } from './discrepancy-items';
export type { OutboxRecorder } from './dynamodb-discrepancies';

/** Table names of the store. */
export interface StoreTables {
  discrepancies: string;
  runs: string;
  history: string;
  /** Running history totals, one item per page of the user listing (`lib/history`). */
  totals: string;
  /** The alerts owed until published (`lib/store/dynamodb-outbox.ts`): named where the tables are created; only the run functions are given it. */
  outbox?: string;
}

/** The three adapters of the store, on one client. */
export interface StoreParts {
  discrepancies: DynamoDbDiscrepancies;
  runs: DynamoDbRunRegistry;
  sourceStates: DynamoDbSourceStates;
}

/** The three adapters on `client`: the discrepancies and source states record owed alerts in `outbox`, when given. */
export function storeParts(
  client: DynamoDBDocumentClient,
  tables: StoreTables,
  historyRetentionDays?: number,
  outbox?: OutboxRecorder,
): StoreParts {
  return {
    discrepancies: new DynamoDbDiscrepancies(client, tables, historyRetentionDays, outbox),
    runs: new DynamoDbRunRegistry(client, tables.runs),
    sourceStates: new DynamoDbSourceStates(client, tables.runs, outbox),
  };
}

/**
 * The whole store as one object, for the run's wiring, the tests and the chaos simulation while they take it
 * whole: each call goes to one of its three adapters ({@link DynamoDbDiscrepancies}, {@link DynamoDbRunRegistry},
 * {@link DynamoDbSourceStates}), which hold all the logic.
 */
export class DynamoDbDiscrepancyStore implements DiscrepancyStore, CompliancePort {
  private readonly parts: StoreParts;

  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tables: StoreTables,
    historyRetentionDays?: number,
    outbox?: OutboxRecorder,
    /** Its adapters, when already built (a fenced view shares the registry). */
    parts?: StoreParts,
  ) {
    this.parts = parts ?? storeParts(client, tables, historyRetentionDays, outbox);
  }

  fencedBy(runId: string, now: () => Date): DynamoDbDiscrepancyStore {
    const { discrepancies, runs, sourceStates } = this.parts;
    return new DynamoDbDiscrepancyStore(this.client, this.tables, undefined, undefined, {
      discrepancies: discrepancies.fencedBy(runId, now),
      runs,
      sourceStates: sourceStates.fencedBy(runId, now),
    });
  }

  queueRun(run: RunStart & { scope?: unknown; dryRun?: boolean }): Promise<void> {
    return this.parts.runs.queueRun(run);
  }
  progress(runId: string, progress: { users: number; positions: number; discrepancies: number }): Promise<void> {
    return this.parts.runs.progress(runId, progress);
  }
  beginRun(run: RunStart): Promise<{ started: true } | { started: false; previous: RunSummary | undefined }> {
    return this.parts.runs.beginRun(run);
  }
  acquireLock(holder: string, ttlMs: number, now: Date): Promise<boolean> {
    return this.parts.runs.acquireLock(holder, ttlMs, now);
  }
  renewLock(holder: string, ttlMs: number, now: Date): Promise<boolean> {
    return this.parts.runs.renewLock(holder, ttlMs, now);
  }
  lockHolder(): Promise<string | undefined> {
    return this.parts.runs.lockHolder();
  }
  releaseLock(holder: string): Promise<void> {
    return this.parts.runs.releaseLock(holder);
  }
  saveRun(summary: RunSummary): Promise<void> {
    return this.parts.runs.saveRun(summary);
  }
  getRun(runId: string): Promise<RunSummary | undefined> {
    return this.parts.runs.getRun(runId);
  }
  active(): Promise<Map<string, DiscrepancyState>> {
    return this.parts.discrepancies.active();
  }
  get(id: string): Promise<DiscrepancyState | undefined> {
    return this.parts.discrepancies.get(id);
  }
  getMany(ids: string[]): Promise<Map<string, DiscrepancyState>> {
    return this.parts.discrepancies.getMany(ids);
  }
  save(
    next: DiscrepancyState,
    event: LifecycleEvent | undefined,
    expectedVersion: number | undefined,
    alert?: IdentifiedAlert,
  ): Promise<void> {
    return this.parts.discrepancies.save(next, event, expectedVersion, alert);
  }
  saveMany(writes: DiscrepancyWrite[]): Promise<string[]> {
    return this.parts.discrepancies.saveMany(writes);
  }
  history(discrepancy: DiscrepancyState): Promise<LifecycleEvent[]> {
    return this.parts.discrepancies.history(discrepancy);
  }
  list(filter: DiscrepancyFilter, page: { limit: number; cursor?: string }): Promise<{ items: DiscrepancyState[]; cursor?: string }> {
    return this.parts.discrepancies.list(filter, page);
  }
  sourceStates(): Promise<Partial<Record<SourceName, StoredSourceState>>> {
    return this.parts.sourceStates.sourceStates();
  }
  saveSourceState(source: SourceName, state: StoredSourceState, alert?: IdentifiedAlert): Promise<void> {
    return this.parts.sourceStates.saveSourceState(source, state, alert);
  }
}
