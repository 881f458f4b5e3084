import type { ToleranceTable } from '../domain/precision';
import type { SeverityThresholds } from '../domain/severity';
import type { AlertOutbox, AlertPublisher } from './alerts';
import type { Clock } from './clock';
import type { HistoryStore } from './history';
import type { RunMetrics } from './metrics';
import type { RunScope } from './run-scope';
import type { RunStateStore } from './run-state';
import type { RunTrigger } from './run-summary';
import type { DiscrepancyRepository, RunRegistry, SourceStateStore } from './store';
import type { AnsweredEndpoint, BackOfficePort, DriftReport, ReportingPort } from './upstream';
import type { VenueBudgets, VenueCheckLog, VenuePorts } from './venues';
/** When to stop and hand over: the Lambda's remaining time, and a hook tests use to cut a worker off. */
export interface ShardControl {
  /** Milliseconds left before the platform stops the worker (default: unlimited). */
  remainingMs?: () => number;
  /** Stop at a page boundary when less than this is left (default 2 minutes). */
  marginMs?: number;
  /** Called after each page, checkpointed or not (tests throw here to simulate a kill). */
  afterPage?: (page: number) => void | Promise<void>;
}

/** What to run: its id, what started it and, optionally, the as-of time (default: now). */
export interface RunRequest {
  runId: string;
  trigger: RunTrigger;
  asOf?: Date;
  /** Check everything, record nothing, alert nothing. */
  dryRun?: boolean;
  /** Only these users, assets, checks, venues; left out, the whole book. */
  scope?: RunScope;
  /** Ignore the running history totals: read every user's whole history and store the totals afresh. */
  rebuild?: boolean;
}

/**
 * Work a shard worker invocation does: one shard of a run, or the run's final phase resumed after a
 * handover (with the claim of the invocation that handed it over, so it goes on under the same claim).
 */
export type RunWork = { runId: string; shard: number } | { runId: string; final: true; claim?: string };

/** Hands a shard of a run, or its final phase, to a worker (asynchronously: Lambda async invoke, or in process). */
export interface ShardInvoker {
  invoke(work: RunWork): Promise<void>;
}

/**
 * What a run talks to, passed in so tests use in-memory fakes and `lib/wiring.ts` the real adapters.
 * The optional ones change what a run does when absent, each said below.
 */
export interface RunPorts {
  reporting: ReportingPort;
  backOffice: BackOfficePort;
  discrepancies: DiscrepancyRepository;
  runs: RunRegistry;
  sourceStates: SourceStateStore;
  /** The alerts owed, recorded by the stores' writes and drained by the run. */
  outbox: AlertOutbox;
  /** Where the outbox's alerts are published (by the run, at its start and at its end). */
  alerts: AlertPublisher;
  clock: Clock;
  /** Shard plans and checkpoints; left out, kept in memory (a single-invocation run, which cannot hand over). */
  runState?: RunStateStore;
  /** Running history totals between runs; left out, every run reads every user's whole history. */
  history?: HistoryStore;
  /** The venues to compare with the balances they mirror; left out, no venue is read. */
  venues?: VenuePorts;
  /** When each venue account was last checked, so a run reads the most overdue first; left out, every mapped account is due in every run. */
  venueLog?: VenueCheckLog;
  /** Hands shards and handed-over phases to fresh invocations; left out, every shard runs in this invocation, one after another. */
  invoker?: ShardInvoker;
  /** Where a run's end is reported (runs by status, duration, discrepancies, source failures); left out, nowhere. */
  metrics?: RunMetrics;
}

/**
 * The tunables of a run, every one set: `runSettings()` in lib/config.ts gives the defaults (the
 * only place a default lives) and the environment overrides them (`loadConfig`).
 */
export interface RunSettings {
  /** Users per page of the listing asked of Reporting (`per_page`); the server decides the page size it answers. */
  userBatchSize: number;
  /** How long a run holds the run lock at most (the Lambda limit). */
  lockTtlMs: number;
  /** How long before the as-of a deposit or trade may be not yet reflected (in flight), in ms. */
  graceMs: number;
  /** How far before the watermark history is read again (ms; never less than the grace window). */
  historyOverlapMs: number;
  /** Tolerances wider than the assets' scales, per check and asset. */
  tolerances: ToleranceTable;
  /** Root-asset values from which a discrepancy is medium, high, critical. */
  severity: SeverityThresholds;
  /** The asset `differenceInRoot` is in (the upstreams' root asset): named in the summary's `breaks`. */
  rootAsset: string;
  /** Alert only once a discrepancy was found in this many runs in a row. */
  alertAfterRuns: number;
  /** Above this many opened alerts of one run owed, one summary message instead. */
  stormThreshold: number;
  /** Failed calls in a row after which a source is not called again in the run. */
  breakerThreshold: number;
  /** Pages read at once, while the page before them is checked. */
  pageConcurrency: number;
  /** Back-office `GET …/balance/` calls (one per user) running at once in a shard: its connection pool's size. */
  backOfficeConcurrency: number;
  /** At most this long between checkpoints (ms; 0: after every page). A page redone after a cut-off changes nothing. */
  checkpointEveryMs: number;
  /** Users per shard of a fanned-out run, and shards running at once. */
  shards: { usersPerShard: number; concurrency: number };
  /** How long before the Lambda timeout an invocation hands its run over to a fresh one (`ShardControl.marginMs`). */
  handoverMarginMs: number;
  /** Calls one run may make to each venue (`venueBudgets()`); a venue left out reads every mapped account. */
  venueBudgets: VenueBudgets;
  /** How long a venue without a call budget (INDX, paced per WMID) may go on starting reads in one run. */
  venueRunSeconds: number;
  /** Every mapped venue account should be checked within this many seconds; the summary counts the overdue. */
  venueWindowSeconds: number;
}

/** What a run tells the adapters and observers around it; each optional (absent: nobody listens). */
export interface RunHooks {
  /** Unknown upstream fields noticed by the adapters; drained per run into the source health. */
  drift?: { drain(): DriftReport[] };
  /** The endpoints that answered, noted by the upstream clients; drained into the run's health per endpoint. */
  endpoints?: { drain(): AnsweredEndpoint[] };
  /** The run's retry allowance across every upstream, refilled at the start of each run and of each shard invocation. */
  retryBudget?: { reset(): void };
  /** Where the upstream clients read the time this invocation has left; set as each run or shard starts. */
  callDeadline?: { follow(remainingMs: (() => number) | undefined): void };
  /** Called after each page, for progress logs. */
  onProgress?: (progress: { users: number; positions: number; discrepancies: number }) => void;
}

/** Everything a run is given: its ports, its settings and its hooks, apart. */
export interface RunDeps {
  ports: RunPorts;
  settings: RunSettings;
  hooks: RunHooks;
}
