import { Amount } from '../domain/money';
import type { Severity } from '../domain/severity';
import type { AssetSums, EffectsTally, ShardTally, Unchecked } from '../ports/run-state';
import { type RunSummary, SUMMARY_ITEM_LIMIT, type VerificationCounts } from '../ports/run-summary';
import { emptyTallies } from './run-summary';
import { SourceHealthTracker } from './source-health';

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

/**
 * Adds a page's or a shard's verified and carried counts to a tally's (absent on both: nothing was
 * selected, the run verified everyone; the oldest carried verification is the earlier of the two).
 */
export function addVerification(
  into: VerificationCounts | undefined,
  from: VerificationCounts | undefined,
): VerificationCounts | undefined {
  if (!from) return into;
  const sum: VerificationCounts = into ?? { verifiedUsers: 0, carriedUsers: 0, perCheck: {} };
  sum.verifiedUsers += from.verifiedUsers;
  sum.carriedUsers += from.carriedUsers;
  for (const [check, counts] of Object.entries(from.perCheck) as [
    keyof VerificationCounts['perCheck'],
    { verified: number; carried: number },
  ][]) {
    const entry = sum.perCheck[check] ?? { verified: 0, carried: 0 };
    sum.perCheck[check] = { verified: entry.verified + counts.verified, carried: entry.carried + counts.carried };
  }
  const oldest = [sum.oldestVerifiedAt, from.oldestVerifiedAt].filter((at) => at !== undefined).sort()[0];
  if (oldest) sum.oldestVerifiedAt = oldest;
  return sum;
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
    const verification = addVerification(merged.verification, tally.verification);
    if (verification) merged.verification = verification;
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
