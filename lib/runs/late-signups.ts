import { isCounted } from '../domain/checks/asset-totals';
import { Amount } from '../domain/money';
import type { AssetSums, LateSignups, RunPlan } from '../ports/run-state';
import { SourceError } from '../ports/source-error';
import type { ListedUser, ReportingPort } from '../ports/upstream';
import { instantOf } from './listing-cursor';
import { RunningAssetSums } from './shard-tally';

/**
 * Reads Reporting's asset totals (`readTotals`) between two looks at the users created after `asOf`; when
 * both looks list the same users (one page at most), the totals hold exactly them, and their balances are
 * read and summed. Users signing up between the looks (in each of `attempts` tries), more than `LATE_PAGE_LIMIT` pages of them, or a read that fails make
 * the answer `unknown`: the asset totals check then says so rather than report a difference those users
 * would explain. A failing `readTotals` fails as before (the run cannot be planned).
 */
export async function readAroundLateSignups<T>(
  reporting: ReportingPort,
  asOf: string,
  askedPageSize: number,
  readTotals: () => Promise<T>,
  attempts = 3,
): Promise<{ totals: T; late: LateSignups }> {
  const look = () => lateUsers(reporting, asOf, askedPageSize).catch(unreadable);
  const ids = (users: { userId: string }[]) => users.map((user) => user.userId).join(',');
  for (let attempt = 1; ; attempt++) {
    const before = await look();
    const totals = await readTotals();
    const after = await look();
    if ('unknown' in before) return { totals, late: before };
    if ('unknown' in after) return { totals, late: after };
    if (ids(before.users) === ids(after.users)) return { totals, late: await lateSums(reporting, after.users) };
    // Someone signed up while the totals were read: read them again, between two looks that agree.
    if (attempt >= attempts) return { totals, late: { unknown: 'users signed up while the asset totals were read' } };
  }
}

/** The funds per asset of the counted users among `users`, or why they could not be read. */
async function lateSums(reporting: ReportingPort, users: ListedUser[]): Promise<LateSignups> {
  const sums = new RunningAssetSums({});
  const counted = users.filter((user) => isCounted(user.roles));
  try {
    for (const user of counted) for (const row of await reporting.userBalances(user.userId)) sums.add(row.asset, row.amount);
  } catch (error) {
    return unreadable(error);
  }
  return { users: counted.length, sums: sums.toJSON() };
}

/** Pages of users created after the as-of read at most, around the asset totals: more is too many to account for. */
const LATE_PAGE_LIMIT = 10;

/** The users created after `asOf` (up to `LATE_PAGE_LIMIT` pages), or why not. */
async function lateUsers(
  reporting: ReportingPort,
  asOf: string,
  askedPageSize: number,
): Promise<{ users: ListedUser[] } | { unknown: string }> {
  const users: ListedUser[] = [];
  for (let page = 1; ; page++) {
    const answer = await reporting.usersPage({ from: asOf }, page, askedPageSize);
    users.push(...answer.users);
    if (answer.users.length === 0 || page * answer.pageSize >= answer.total) break;
    if (page >= LATE_PAGE_LIMIT) return { unknown: `${answer.total} users signed up after the as-of: more than ${LATE_PAGE_LIMIT} pages` };
  }
  const at = instantOf(asOf);
  // `from` is inclusive: a user created at the as-of itself is in the run's listing.
  return { users: users.filter((user) => instantOf(user.createdAt) > at) };
}

function unreadable(error: unknown): { unknown: string } {
  if (!(error instanceof SourceError)) throw error;
  return { unknown: `the users who signed up after the as-of could not be read (${error.failure})` };
}

/**
 * Why each asset's totals check cannot judge this run because Reporting's totals did not hold still
 * while the run read its users (an asset left out: it can). Read again at the run's end between two
 * looks at the late sign-ups, as at the plan, each total less the funds of users who signed up after
 * the as-of must equal the plan's: a deposit, withdrawal or deletion during the run would make the
 * shards' sums disagree with either reading, and the check says `unknown` with the reason rather than
 * report a difference no one made. A re-read that fails makes every asset's check `unknown` and is
 * handed to `failed` (a source failure of the run).
 */
export async function totalsThatMoved(
  reporting: ReportingPort,
  plan: Pick<RunPlan, 'asOf' | 'askedPageSize' | 'assets' | 'late'>,
  failed: (error: SourceError) => void,
): Promise<Map<string, string>> {
  const every = (reason: string) => new Map(plan.assets.map((asset) => [asset.assetId, reason]));
  let again: Awaited<ReturnType<typeof readAroundLateSignups<Awaited<ReturnType<ReportingPort['assets']>>>>>;
  try {
    again = await readAroundLateSignups(reporting, plan.asOf, plan.askedPageSize, () => reporting.assets());
  } catch (error) {
    if (!(error instanceof SourceError)) throw error;
    failed(error);
    return every(`the asset totals could not be read again at the run's end (${error.failure})`);
  }
  if ('unknown' in again.late) return every(again.late.unknown);
  const before = plan.late && !('unknown' in plan.late) ? plan.late.sums : {};
  const ends = new Map(again.totals.map((asset) => [asset.assetId, asset.total]));
  const moved = new Map<string, string>();
  for (const asset of plan.assets) {
    const start = Amount.parse(asset.total).minus(lateSum(before, asset.assetId));
    const total = ends.get(asset.assetId);
    const end = total?.minus(lateSum(again.late.sums, asset.assetId));
    if (!end) moved.set(asset.assetId, "the asset was no longer listed at the run's end");
    else if (start.compare(end) !== 0)
      moved.set(asset.assetId, `balances moved during the run: Reporting's total less late sign-ups went from ${start} to ${end}`);
  }
  return moved;
}

function lateSum(sums: AssetSums, asset: string): Amount {
  const sum = sums[asset];
  return sum ? Amount.parse(sum.total) : Amount.ZERO;
}
