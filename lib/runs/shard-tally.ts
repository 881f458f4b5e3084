import { Amount } from '../domain/money';
import type { Severity } from '../domain/severity';
import type { SourceName } from '../sources/source-error';
import type { ListingCursor } from './listing-cursor';
import { type DiscrepancyRef, emptyTallies, type RunSummary, type SourceHealth, SUMMARY_ITEM_LIMIT } from './run-summary';
import { SourceHealthTracker } from './source-health';
import type { VenueProgress } from './venue-schedule';

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

/** At most this many unchecked user ids are named per shard and per run; the rest are counted. */
export const UNCHECKED_USER_LIMIT = 100;

/** A tally's record of who it did not check, made empty on first use. */
export function uncheckedOf(tally: ShardTally): Unchecked {
  if (!tally.unchecked) tally.unchecked = { count: 0, users: [], listing: [] };
  return tally.unchecked;
}

/** Notes users whose reads failed into `tally.unchecked` (ids up to the limit, `count` of them in all). */
export function noteUnchecked(tally: ShardTally, userIds: readonly string[], count = userIds.length): void {
  if (count === 0) return;
  const unchecked = uncheckedOf(tally);
  unchecked.count += count;
  unchecked.users.push(...userIds.slice(0, UNCHECKED_USER_LIMIT - unchecked.users.length));
}

/** Per asset, Σ amount (an exact decimal string) and the number of users it sums over. */
export type AssetSums = Record<string, { total: string; users: number }>;

/**
 * Per-asset sums being added up while a shard reads its pages: exact amounts in memory, written
 * into the tally as {@link AssetSums} when it is checkpointed, and resumed from one.
 */
export class RunningAssetSums {
  private readonly sums: Map<string, { total: Amount; users: number }>;

  constructor(from: AssetSums) {
    this.sums = new Map(Object.entries(from).map(([asset, sum]) => [asset, { total: Amount.parse(sum.total), users: sum.users }]));
  }

  /** Adds one user's amount of `asset`. */
  add(asset: string, amount: Amount): void {
    const sum = this.sums.get(asset);
    if (sum) {
      sum.total = sum.total.plus(amount);
      sum.users++;
    } else this.sums.set(asset, { total: amount, users: 1 });
  }

  toJSON(): AssetSums {
    return Object.fromEntries([...this.sums].map(([asset, sum]) => [asset, { total: sum.total.toString(), users: sum.users }]));
  }
}

/** Adds `from` into `into`, asset by asset (merging shards' sums). */
function mergeSums(into: AssetSums, from: AssetSums): void {
  for (const [asset, sum] of Object.entries(from)) {
    const before = into[asset];
    into[asset] = before ? { total: addDecimal(before.total, sum.total), users: before.users + sum.users } : { ...sum };
  }
}

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

/** At most this many notes of a moved listing are kept per shard and per run: enough to name the pages. */
export const LISTING_NOTE_LIMIT = 20;

export function emptyEffectsTally(): EffectsTally {
  return { opened: 0, reopened: 0, escalated: 0, resolved: 0, skipped: 0 };
}

export function emptyShardTally(firstPage: number): ShardTally {
  return {
    nextPage: firstPage,
    done: false,
    users: 0,
    positions: 0,
    discrepancies: 0,
    historyRows: 0,
    incrementalUsers: 0,
    checks: emptyTallies(),
    items: [],
    assetSums: {},
    assetSumsComplete: true,
    outsideSums: {},
    rates: {},
    sources: {},
    listingMoved: [],
    effects: emptyEffectsTally(),
  };
}

/** The run-wide tally of all shards (ids and items capped as in each shard). */
export function mergeTallies(tallies: readonly ShardTally[]): ShardTally {
  const merged = emptyShardTally(0);
  const health = new SourceHealthTracker();
  for (const tally of tallies) {
    merged.users += tally.users;
    merged.positions += tally.positions;
    merged.discrepancies += tally.discrepancies;
    merged.historyRows += tally.historyRows;
    merged.incrementalUsers += tally.incrementalUsers;
    for (const [check, counts] of Object.entries(tally.checks) as [
      keyof ShardTally['checks'],
      ShardTally['checks'][keyof ShardTally['checks']],
    ][]) {
      for (const [outcome, n] of Object.entries(counts) as [keyof typeof counts, number][]) merged.checks[check][outcome] += n;
    }
    merged.items.push(...tally.items.slice(0, SUMMARY_ITEM_LIMIT - merged.items.length));
    mergeSums(merged.assetSums, tally.assetSums);
    merged.assetSumsComplete &&= tally.assetSumsComplete;
    // A tally checkpointed before outsideSums existed has none.
    mergeSums(merged.outsideSums, tally.outsideSums ?? {});
    merged.rates = { ...tally.rates, ...merged.rates };
    health.merge(tally.sources);
    merged.listed = (merged.listed ?? 0) + (tally.listed ?? 0);
    if (tally.unchecked) {
      noteUnchecked(merged, tally.unchecked.users, tally.unchecked.count);
      uncheckedOf(merged).listing.push(...tally.unchecked.listing);
    }
    merged.listingMoved.push(...tally.listingMoved.slice(0, LISTING_NOTE_LIMIT - merged.listingMoved.length));
    const effects = merged.effects;
    effects.opened += tally.effects.opened;
    effects.reopened += tally.effects.reopened;
    for (const [severity, n] of Object.entries(tally.effects.openedBySeverity ?? {}) as [Severity, number][]) {
      effects.openedBySeverity = { ...effects.openedBySeverity, [severity]: (effects.openedBySeverity?.[severity] ?? 0) + n };
    }
    effects.escalated += tally.effects.escalated;
    effects.resolved += tally.effects.resolved;
    effects.skipped = (effects.skipped ?? 0) + (tally.effects.skipped ?? 0);
  }
  merged.sources = health.report();
  return merged;
}

/** The ten largest findings by root value (ties by id, so merging is order-independent). */
export function keepLargest(entries: { id: string; value: string }[]): { id: string; value: string }[] {
  const unique = new Map(entries.map((entry) => [entry.id, entry]));
  return [...unique.values()].sort((a, b) => compareDecimal(b.value, a.value) || (a.id < b.id ? -1 : 1)).slice(0, 10);
}

function addDecimal(a: string, b: string): string {
  return Amount.parse(a).plus(Amount.parse(b)).toString();
}

function compareDecimal(a: string, b: string): number {
  return Amount.parse(a).abs().compare(Amount.parse(b).abs());
}

/**
 * What a run counted, as its summary states it: from the merged tally of a finished run, and from the
 * checkpoints of a failed one (so a run that failed after recording discrepancies does not say 0).
 */
export function summaryCounts(all: ShardTally): Pick<RunSummary, 'users' | 'positions' | 'checks' | 'discrepancies'> {
  return {
    users: all.users,
    positions: all.positions,
    checks: all.checks,
    discrepancies: {
      total: all.discrepancies,
      opened: all.effects.opened + all.effects.reopened,
      ...(all.effects.openedBySeverity && { openedBySeverity: all.effects.openedBySeverity }),
      resolved: all.effects.resolved,
      escalated: all.effects.escalated,
      skipped: all.effects.skipped ?? 0,
      items: all.items,
      truncated: all.discrepancies > all.items.length,
    },
  };
}
