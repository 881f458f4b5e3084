import type { IdentifiedAlert } from '../alerts/owed-alert';
import type { OpenOrderRecord } from '../domain/checks/locked-orders';
import type { Discrepancy } from '../domain/discrepancy';
import type { TradeRecord, TransferRecord } from '../domain/ledger';
import type { DiscrepancyState, LifecycleEvent } from '../domain/lifecycle';
import type { Amount } from '../domain/money';
import { ConcurrentUpdateError } from '../errors';
import type { HistoryChunk } from '../history/batch-history';
import type { SourceName } from '../sources/source-error';
import type { RunSummary, RunTrigger } from './run-summary';
import type { StoredSourceState } from './source-transitions';
import type { VenueSource } from './venue-schedule';

/** An asset as Reporting lists it: id, display scale and its total over the counted users. */
export interface AssetInfo {
  assetId: string;
  scale: number;
  total: Amount;
}

/** A user as Reporting lists it. */
export interface UserInfo {
  userId: string;
  roles: string[];
  /** `totalBalanceInRAT`: the user's balance in the root asset. */
  totalInRoot?: Amount;
}

/** A user as the Reporting listing serves them: with the instant they were created, the listing's key. */
export interface ListedUser extends UserInfo {
  createdAt: string;
}

/** Which users a listing request asks for: those created in `[from, to]` (ISO instants, inclusive; either end open). */
export interface CreatedRange {
  from?: string;
  to?: string;
}

/** One asset balance of a user as Reporting splits it, with its root-asset figures. */
export interface ReportingBalance {
  asset: string;
  amount: Amount;
  locked: Amount;
  available: Amount;
  rate?: Amount;
  amountInRoot?: Amount;
  lockedInRoot?: Amount;
  availableInRoot?: Amount;
}

/** The Reporting API as the reconciliation needs it. */
export interface ReportingPort {
  assets(): Promise<AssetInfo[]>;
  /**
   * One page (1-based) of the users created in `created` (a `DateRange` on `CreatedAt`), in creation
   * order, that query's total, and the page size the server answered: it decides (every example of the
   * document answers 15), `askedSize` is only asked.
   */
  usersPage(created: CreatedRange, page: number, askedSize: number): Promise<{ users: ListedUser[]; total: number; pageSize: number }>;
  userBalances(userId: string): Promise<ReportingBalance[]>;
  /** A user's resting orders (`orders/opened`). */
  openOrders(userId: string): Promise<OpenOrderRecord[]>;
  /** The transfers of a batch of users (`transfers`), optionally only those created in a time range (ISO, inclusive). */
  transfers(userIds: string[], created?: { from?: string; to?: string }): Promise<TransferRecord[]>;
  /** The ids of a batch of users' finished orders (`orders`), optionally only those created from a time on. */
  orderIds(userIds: string[], createdFrom?: string): Promise<string[]>;
  /** The trades (fills) of the given orders (`orders/transactions` filtered by `OrderId`). */
  tradesOfOrders(orderIds: string[]): Promise<TradeRecord[]>;
}

/** One asset of a user in the back office. */
export interface BackOfficeBalance {
  amount: Amount;
  locked: Amount;
  fundsInRoot?: Amount;
}

/** What the back office says of one user: balances by asset, or not found. */
export type BackOfficeUserBalances =
  | { userId: string; found: true; balances: Map<string, BackOfficeBalance>; totalFundsInRoot?: Amount }
  | { userId: string; found: false; message: string };

/**
 * What the back office's `GET …/user/{userId}/balance/` says of one user: the funds available to
 * them per asset, or (a 404) that it does not know them.
 */
export type BackOfficeAvailable =
  | { userId: string; found: true; available: Map<string, Amount> }
  | { userId: string; found: false; message: string };

/** The Back office API as the reconciliation needs it. */
export interface BackOfficePort {
  /**
   * `POST /balances` for a batch of users, every asset (no asset filter: the back office states
   * `totalFundsInRootAsset` only when none was applied).
   */
  balances(userIds: string[]): Promise<BackOfficeUserBalances[]>;
  /** `GET …/user/{userId}/balance/`: one user's available funds per asset. */
  available(userId: string): Promise<BackOfficeAvailable>;
}

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

/** `saveMany` one write at a time: the ids `save` refused as changed meanwhile, every other write made. */
export async function saveEach(store: Pick<DiscrepancyStore, 'save'>, writes: readonly DiscrepancyWrite[]): Promise<string[]> {
  const conflicts: string[] = [];
  for (const { next, event, expectedVersion, alert } of writes) {
    try {
      await store.save(next, event, expectedVersion, alert);
    } catch (error) {
      if (!(error instanceof ConcurrentUpdateError)) throw error;
      conflicts.push(next.id);
    }
  }
  return conflicts;
}

/** Where discrepancies, their history and runs are kept. */
export interface DiscrepancyStore {
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
  /**
   * The same store whose discrepancy and source-state writes are fenced by the run lock: each is made only
   * while `runId` holds it unexpired at `now()`, else it throws `LockLostError` with nothing written. A run's
   * code writes through this view; an analyst's writes do not.
   */
  fencedBy(runId: string, now: () => Date): DiscrepancyStore;
  /** Notes how far a running run is, for `GET /runs/{id}` (optional: stores without it show no progress). */
  progress?(runId: string, progress: { users: number; positions: number; discrepancies: number }): Promise<void>;
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
  saveRun(summary: RunSummary): Promise<void>;
  /** What the last runs left of each source's health, for alerting on changes only. */
  sourceStates(): Promise<Partial<Record<SourceName, StoredSourceState>>>;
  /** Stores a source's health and, in the same write, the alert its change owes. */
  saveSourceState(source: SourceName, state: StoredSourceState, alert?: IdentifiedAlert): Promise<void>;
}

/** A source that failed during a run, for the source-health alert. */
export interface SourceProblem {
  source: SourceName;
  runId: string;
  failures: number;
  firstError: string;
  /** Unknown fields per endpoint, when the source's schema drifted. */
  drift: { endpoint: string; fields: string[] }[];
  /** The source's endpoints failing after this run (`*`: every endpoint, or one not named). */
  endpoints: string[];
}

/** A source whose every failing endpoint answered again. */
export interface SourceRecovery {
  source: SourceName;
  runId: string;
  failingSince: string;
  /** The endpoints that had been failing and have answered since (`*`: every endpoint, or one not named). */
  endpoints: string[];
}

/**
 * Where alerts go. Each message carries its `alertId` (the SNS message attribute `alertId`): a message
 * published again after an unknown outcome has the same id, so a subscriber can de-duplicate.
 * @throws {AlertNotPublishedError} when the message was refused (`rejected`) or its fate is not known (`unknown`).
 */
export interface AlertPublisher {
  discrepancyOpened(discrepancy: Discrepancy, alertId: string): Promise<void>;
  discrepancyEscalated(discrepancy: Discrepancy, previous: { severity: string; difference: string }, alertId: string): Promise<void>;
  discrepancyResolved(discrepancy: DiscrepancyState, alertId: string): Promise<void>;
  /** One message instead of many when a run opens more than the storm threshold. */
  discrepancyStorm(storm: { runId: string; count: number; largest: Discrepancy[] }, alertId: string): Promise<void>;
  sourceUnhealthy(problem: SourceProblem, alertId: string): Promise<void>;
  sourceRecovered(recovery: SourceRecovery, alertId: string): Promise<void>;
}

/** One owed alert as the outbox holds it: the alert, and whether an earlier publish of it may have gone out. */
export interface OwedRow extends IdentifiedAlert {
  /** A publish of it timed out or its drainer stopped mid-way: it may have reached subscribers already. */
  uncertain: boolean;
  /** Until when (epoch ms) a drainer holds it; absent when nobody does. */
  claimedUntil?: number;
}

/**
 * The alerts owed: recorded by the store in the writes that owe them (`DiscrepancyWrite.alert`,
 * `saveSourceState`), read, claimed, published and cleared by the drain (`lib/alerts/drain-outbox.ts`).
 */
export interface AlertOutbox {
  /** Every alert still owed (a consistent read). */
  owed(): Promise<OwedRow[]>;
  /** Claims a row until `until` unless another drainer holds it: false when it does, or the row is gone (published). */
  claim(row: OwedRow, holder: string, now: number, until: number): Promise<boolean>;
  /** Published: the row is deleted. */
  cleared(alertId: string): Promise<void>;
  /** Not published: the claim is given back; with `uncertain`, the row notes that it may have gone out. */
  release(alertId: string, holder: string, uncertain: boolean): Promise<void>;
  /**
   * Records that `storm` replaces these opened alerts of its run, then deletes them: the storm row is
   * written first, so a drain stopped half-way finds it and never publishes the others.
   */
  replaceByStorm(storm: IdentifiedAlert, replaced: readonly string[]): Promise<void>;
}

/** The time, injected so runs are reproducible in tests. */
export interface Clock {
  now(): Date;
}

/**
 * When each rate-limited venue account was last checked, so that each run reads the most overdue
 * accounts first and the run summary can say how much of the window is covered. Keys are the
 * accounts' keys (`multiMarketsAccountKey`, `indxAccountKey` in `check-venues.ts`); times are ISO strings.
 */
export interface VenueCheckLog {
  /** Every account of `source` ever marked, with its last check time. */
  lastChecked(source: VenueSource): Promise<Map<string, string>>;
  /** Records that the venue answered for these accounts (found or not found) at `at`. */
  markChecked(source: VenueSource, keys: string[], at: string): Promise<void>;
}

/** Where the running history totals are kept between runs, one chunk per page of the user listing. */
export interface HistoryStore {
  /** The stored chunks of these keys (several pages' at once: one call, not one per page); a key not stored is left out. */
  load(keys: string[]): Promise<Map<string, HistoryChunk>>;
  /** Stores several pages' chunks by key (one call for many, as `load`). */
  save(chunks: ReadonlyMap<string, HistoryChunk>): Promise<void>;
}
