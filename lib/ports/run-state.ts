import type { Severity } from '../domain/severity';
import type { RunScope } from './run-scope';
import type { DiscrepancyRef, RunSummary, RunTrigger, SourceHealth, VerificationCounts } from './run-summary';
import type { AnsweredEndpoint, SourceName } from './upstream';
import type { VenueProgress } from './venues';
/** Everything a shard needs to know about its run, stored once by the coordinator. */
export interface RunPlan {
  runId: string;
  trigger: RunTrigger;
  asOf: string;
  startedAt: string;
  dryRun: boolean;
  /** Read every user's whole history and rebuild the running totals. */
  rebuild: boolean;
  scope?: RunScope;
  /**
   * Users per page of the listing as the server answered page 1 (it decides; `askedPageSize` is only
   * asked): one page is one batch, one checkpoint and one running-totals chunk.
   */
  pageSize: number;
  /** The `per_page` each listing request asks (`USER_BATCH_SIZE`). */
  askedPageSize: number;
  /** Users created up to the as-of when the run was planned (the listing every request of the run asks: `CreatedAt` to `asOf`). */
  totalUsers: number;
  assets: { assetId: string; scale: number; total: string }[];
  /**
   * Counted users who signed up after the as-of and were in Reporting's asset totals when the plan read
   * them (their funds per asset), or why that could not be known (then the asset totals are `unknown`).
   */
  late?: LateSignups;
  /**
   * Each shard is the users created in `[from, until)` (creation instants; open where absent): the first
   * shard from the listing's start, the last to the as-of. `firstPage`/`endPage` (exclusive) are where its
   * pages stood when the run was planned: they number its running-totals chunks.
   */
  shards: ({ firstPage: number; endPage?: number } & ListingRange)[];
  /** Endpoints that answered while the run was planned (assets, the listing's first page): kept here, the plan may be read in another invocation. */
  answered?: AnsweredEndpoint[];
}

/** Where shards keep their checkpoints and the run its plan and completion count. */
export interface RunStateStore {
  savePlan(plan: RunPlan): Promise<void>;
  loadPlan(runId: string): Promise<RunPlan | undefined>;
  loadTally(runId: string, shard: number): Promise<ShardTally | undefined>;
  saveTally(runId: string, shard: number, tally: ShardTally): Promise<void>;
  /** Records that `shard` is done (idempotent) and answers how many shards are. */
  shardDone(runId: string, shard: number): Promise<number>;
  /** Claims the next shard not yet started (a counter), or undefined when all are. */
  claimShard(runId: string, shards: number): Promise<number | undefined>;
  /**
   * Claims a phase of the run — a shard, or the final phase — for `token` until `leaseUntilMs`, so one
   * delivery works on it at a time: true when the phase was unclaimed, its lease ran out before `nowMs`
   * (the claimant was killed), or `token` holds it already (a handover passes its token on); false while
   * another's lease lasts, and (the final phase) once it is done.
   */
  claimPhase(runId: string, phase: RunPhase, token: string, leaseUntilMs: number, nowMs: number): Promise<boolean>;
  /** Gives `token`'s claim up (a claimant that failed or handed over), so the next delivery takes the phase at once. */
  releasePhase(runId: string, phase: RunPhase, token: string): Promise<void>;
  /** Marks the final phase done by `token`: no delivery claims it again. */
  finalDone(runId: string, token: string): Promise<void>;
}

/** A phase of a run a delivery claims: a shard (its index), or the final phase. */
export type RunPhase = number | 'final';

/**
 * What one shard (or a whole single-invocation run) has done so far, as plain JSON: checkpointed
 * every few seconds so a worker cut off by the Lambda timeout resumes where it was, and merged by
 * the run's finaliser. Memory stays bounded: counts, per-asset sums, at most a few hundred ids.
 */
export interface ShardTally {
  /** The number of the shard's next page of the listing (it names the page's running-totals chunk). */
  nextPage: number;
  /** Where the shard's read of the listing goes on (absent: from its start; `null`: read to its end). */
  cursor?: ListingCursor | null;
  /** Users the listing served the shard (every one, scoped or not): the run compares them with the plan's count. */
  listed?: number;
  /** Who was not checked: users any of whose reads failed (a count and the first ids) and listing ranges left unread. */
  unchecked?: Unchecked;
  done: boolean;
  users: number;
  positions: number;
  discrepancies: number;
  /** History rows read (transfers, orders, trades) and users whose running totals were reused. */
  historyRows: number;
  incrementalUsers: number;
  /** Users verified and carried (`FULL_VERIFY_HOURS` > 0 only; absent in a run verifying everyone). */
  verification?: VerificationCounts;
  checks: RunSummary['checks'];
  items: DiscrepancyRef[];
  /** Σ amount and number of counted users per asset, for the asset-totals check. */
  assetSums: AssetSums;
  assetSumsComplete: boolean;
  /** Σ non-zero amounts and number of holders per asset of users whose roles the Reporting totals leave out. */
  outsideSums: AssetSums;
  /** Root-asset rate per asset, as Reporting gave it (for severity of asset-level findings). */
  rates: Record<string, string>;
  sources: Partial<Record<SourceName, SourceHealth>>;
  /**
   * Server faults of the user listing, one note per answer naming where it was read from (fewer users than
   * its paging promised, users out of creation order): empty while it behaved. Users signing up or being
   * deleted are no fault (the listing is read by key). Any note means some users may be unchecked; at most
   * `LISTING_NOTE_LIMIT` are kept.
   */
  listingMoved: string[];
  effects: EffectsTally;
  /**
   * The run's final phase only (it checkpoints as one more tally when it hands over): how far each
   * venue's reads got. Present once the phase's asset totals are settled, so a resumed phase does not
   * settle them again.
   */
  venueProgress?: VenueProgress;
}

/** Who a run did not check: see `RunSummary.unchecked`. */
export interface Unchecked {
  count: number;
  users: string[];
  listing: { from?: string; to: string }[];
}

/** Per asset, Σ amount (an exact decimal string) and the number of users it sums over. */
export type AssetSums = Record<string, { total: string; users: number }>;

/** What the lifecycle did (the alerts it owes are in the outbox). */
export interface EffectsTally {
  opened: number;
  reopened: number;
  /** Opened and reopened, by severity (for the run metrics); absent in a tally checkpointed before it existed. */
  openedBySeverity?: Partial<Record<Severity, number>>;
  escalated: number;
  resolved: number;
  /**
   * Discrepancies left unwritten because another writer (an analyst, a late shard) changed them again
   * after the run re-read them: seen again by the next run. Absent in a tally checkpointed before it existed.
   */
  skipped?: number;
}

/**
 * Where a shard's read of the user listing stands: the next request asks the users created from
 * `from` on (inclusive: the Reporting `DateRange` on `CreatedAt`), page `page` of that query; the
 * users at the instant `from` already read are in `seen`. Paging from the last key read instead of by
 * offset keeps a user signing up or being deleted from shifting anyone else out of the read.
 */
export interface ListingCursor {
  from?: string;
  /** Users created at the instant `from` already read (dropped when served again). */
  seen: string[];
  /** 1 unless a whole page shared the instant `from`: then the next page of the same query. */
  page: number;
}

/** A shard's slice of the listing: users created in `[from, until)` (ISO instants; open where absent). */
export interface ListingRange {
  from?: string;
  until?: string;
}

/**
 * Counted users who signed up after a run's as-of and were in Reporting's asset totals when the plan read
 * them: how many and their funds per asset (taken from those totals before they are compared with the
 * run's sums: the run's listing stops at the as-of). Or, when that could not be known, why.
 */
export type LateSignups = { users: number; sums: AssetSums } | { unknown: string };
