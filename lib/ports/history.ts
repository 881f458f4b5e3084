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
}
