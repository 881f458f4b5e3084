import type { ShardTally } from '../../ports/run-state';
import { addVerification, LISTING_NOTE_LIMIT, noteUnchecked, RunningAssetSums, uncheckedOf } from '../shard-tally';
import type { PageResult } from './check-page';

/** A shard's tally while it runs, with its asset sums kept as exact amounts until the next checkpoint. */
export interface ShardState {
  tally: ShardTally;
  assetSums: RunningAssetSums;
  outsideSums: RunningAssetSums;
}

/** The running state of a shard resumed from `tally`. */
export function openShardState(tally: ShardTally): ShardState {
  return { tally, assetSums: new RunningAssetSums(tally.assetSums), outsideSums: new RunningAssetSums(tally.outsideSums ?? {}) };
}

/** Writes the exact sums into the tally as strings (before it is checkpointed). */
export function syncSums(state: ShardState): void {
  state.tally.assetSums = state.assetSums.toJSON();
  state.tally.outsideSums = state.outsideSums.toJSON();
}

/** The one place a checked page enters its shard's tally: counts, sums, rates, notes, who was not checked, where to go on. */
export function applyPage(state: ShardState, page: PageResult): void {
  const { tally } = state;
  if (page.sumsIncomplete) tally.assetSumsComplete = false;
  if (page.unread) uncheckedOf(tally).listing.push(page.unread);
  if (page.listed !== undefined) {
    tally.listingMoved.push(...page.notes.slice(0, LISTING_NOTE_LIMIT - tally.listingMoved.length));
    tally.listed = (tally.listed ?? 0) + page.listed;
  }
  tally.positions += page.positions;
  for (const [asset, rate] of Object.entries(page.rates)) if (!tally.rates[asset]) tally.rates[asset] = rate;
  for (const rows of page.counted) for (const row of rows) state.assetSums.add(row.asset, row.amount);
  for (const rows of page.outside) for (const row of rows) if (!row.amount.isZero()) state.outsideSums.add(row.asset, row.amount);
  noteUnchecked(tally, page.unchecked);
  tally.users += page.users;
  if (page.history) {
    tally.historyRows += page.history.rows;
    tally.incrementalUsers += page.history.incrementalUsers;
  }
  const verification = addVerification(tally.verification, page.verification);
  if (verification) tally.verification = verification;
  tally.nextPage = page.page + 1;
  tally.cursor = page.next ?? null;
}
