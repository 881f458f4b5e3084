import type { CheckId } from '../domain/check-id';
import type { StoredPosition } from '../domain/ledger';
/** Where the running history totals are kept between runs, one chunk per page of the user listing. */
export interface HistoryStore {
  /** The stored chunks of these keys (several pages' at once: one call, not one per page); a key not stored is left out. */
  load(keys: string[]): Promise<Map<string, HistoryChunk>>;
  /** Stores several pages' chunks by key (one call for many, as `load`). */
  save(chunks: ReadonlyMap<string, HistoryChunk>): Promise<void>;
}

/**
 * The running totals of one batch of users (one page of the user listing), kept between runs so a
 * run reads only the history rows newer than the watermark.
 */
export interface HistoryChunk {
  /** The as-of (ms) the totals run up to. */
  watermark: number;
  users: Record<string, UserTotals>;
}

/**
 * The shape of a stored {@link HistoryChunk}, kept beside it: a chunk stored in another shape is not
 * used, and its users are read in full once. Raise it with any change to {@link UserTotals} or
 * `StoredPosition`. 1: positions as objects; 2: positions as arrays.
 */
export const HISTORY_CHUNK_FORMAT = 2;

/** One user's running totals and what the next run must read again. */
export interface UserTotals {
  positions: Record<string, StoredPosition>;
  /** Flows already in `positions` dated at or after watermark − overlap: [id, ms]; read again, they are not counted twice. */
  applied: [string, number][];
  /** Transfers not final at the watermark, [id, createdAt]: read again until they are. */
  pending: [string, string][];
  /** Orders resting at the watermark: their later fills are read. */
  openOrders: string[];
  /**
   * What the user's last full verification saw (`FULL_VERIFY_HOURS` > 0): a run compares its cheap reads
   * with it to decide whether the user needs verifying again. Absent (a chunk stored before it existed,
   * or by a run verifying everyone): the user counts as new and is verified in full.
   */
  verified?: VerifiedRecord;
}

/** One user's last full verification, as exact decimal strings: see {@link UserTotals.verified}. */
export interface VerifiedRecord {
  /** The as-of (ms) of the run that verified the user in full. */
  at: number;
  /** The back office's `POST /balances` per asset, `[amount, locked]`; null when it did not know the user. */
  backOffice: Record<string, [string, string]> | null;
  /** Reporting's amount per asset as read: what a run that carries the user adds to the asset totals. */
  reporting: Record<string, string>;
  /** Verdicts per check that verification gave: what a run that carries the user counts as carried. */
  checks: Partial<Record<CheckId, number>>;
  /** A full verification was needed and a read failed: the next run verifies the user again. */
  retry?: boolean;
}
