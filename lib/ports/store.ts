import type { DiscrepancyState, LifecycleEvent } from '../domain/lifecycle';
import type { IdentifiedAlert } from './alerts';
import type { RunSummary, RunTrigger } from './run-summary';
import type { SourceName } from './upstream';
/** The record of a run as it starts. */
export interface RunStart {
  runId: string;
  trigger: RunTrigger;
  asOf: string;
  startedAt: string;
}

/**
 * A discrepancy's new state, the event that changed it, the version it must still have (undefined: it
 * must not exist) and the alert the change owes, recorded in the outbox by the same write.
 */
export interface DiscrepancyWrite {
  next: DiscrepancyState;
  event: LifecycleEvent | undefined;
  expectedVersion: number | undefined;
  alert?: IdentifiedAlert;
}

/** The run records and the run lock (one per stage: runs do not overlap). */
export interface RunRegistry {
  /**
   * Records the start of a run; `started: false` means this run id was delivered before (with its summary once finished).
   * A run id stored `failed` or `skipped` (or left `running` longer than a Lambda lives) starts again: its delivery resumes it.
   */
  beginRun(run: RunStart): Promise<{ started: true } | { started: false; previous: RunSummary | undefined }>;
  /** Takes the run lock until `ttlMs` from `now`, unless another holder has it. */
  acquireLock(holder: string, ttlMs: number, now: Date): Promise<boolean>;
  /** Keeps the run lock until `ttlMs` from `now` if `holder` still holds it (expired or not): false when another took it or it was released. */
  renewLock(holder: string, ttlMs: number, now: Date): Promise<boolean>;
  /** Who holds the run lock now, if anyone: named in a loser's `skipped` record. */
  lockHolder(): Promise<string | undefined>;
  releaseLock(holder: string): Promise<void>;
  /** Notes how far a running run is, for `GET /runs/{id}` (optional: stores without it show no progress). */
  progress?(runId: string, progress: { users: number; positions: number; discrepancies: number }): Promise<void>;
  saveRun(summary: RunSummary): Promise<void>;
}

/**
 * A store whose writes a run makes can be fenced by the run lock: the fenced view makes each write only
 * while `runId` holds the lock unexpired at `now()`, else it throws `LockLostError` with nothing written.
 * A run's code writes through this view; an analyst's writes do not.
 */
export interface Fenceable<T> {
  fencedBy(runId: string, now: () => Date): T;
}

/** The discrepancies and their history, as a run reads and writes them. */
export interface DiscrepancyRepository extends Fenceable<DiscrepancyRepository> {
  /** Every open or acknowledged discrepancy. */
  active(): Promise<Map<string, DiscrepancyState>>;
  get(id: string): Promise<DiscrepancyState | undefined>;
  /** Many at once; an id not stored is left out. */
  getMany(ids: string[]): Promise<Map<string, DiscrepancyState>>;
  /**
   * Writes the new state (if its version is still `expectedVersion`; new when undefined), appends the
   * event and records the alert it owes, all or none.
   */
  save(
    next: DiscrepancyState,
    event: LifecycleEvent | undefined,
    expectedVersion: number | undefined,
    alert?: IdentifiedAlert,
  ): Promise<void>;
  /**
   * Many `save`s at once. A write whose stored version is not `expectedVersion` is not made: its
   * id is returned, and every other write is made.
   */
  saveMany(writes: DiscrepancyWrite[]): Promise<string[]>;
}

/** Each source's health between runs, so that alerts go out on changes only. */
export interface SourceStateStore extends Fenceable<SourceStateStore> {
  /** What the last runs left of each source's health. */
  sourceStates(): Promise<Partial<Record<SourceName, StoredSourceState>>>;
  /** Stores a source's health and, in the same write, the alert its change owes. */
  saveSourceState(source: SourceName, state: StoredSourceState, alert?: IdentifiedAlert): Promise<void>;
}

/**
 * The three stores at once, as one DynamoDB adapter serves them today (`DynamoDbDiscrepancyStore`).
 * Transitional: a run's ports name each store on its own (`RunPorts`).
 */
export interface DiscrepancyStore extends RunRegistry, Omit<DiscrepancyRepository, 'fencedBy'>, Omit<SourceStateStore, 'fencedBy'> {
  fencedBy(runId: string, now: () => Date): DiscrepancyStore;
}

/** What the store remembers of a source between runs, to alert on changes only. */
export interface StoredSourceState {
  status: 'ok' | 'failing';
  /** Unknown fields already reported, as `endpoint: field`. */
  drift: string[];
  since: string;
  /**
   * The endpoints failing, each until it answers again. A record stored before endpoints were kept
   * has none: while `failing`, it reads as every endpoint failing (`failingEndpointsOf` in lib/runs/source-transitions.ts).
   */
  failingEndpoints?: string[];
}
