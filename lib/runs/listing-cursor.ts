import { rowsExpected } from '../policy/paging';
import type { ListingCursor, ListingRange } from '../ports/run-state';
import type { ListedUser } from '../ports/upstream';

/** What one listing answer gives a shard: the users it has not read yet, where to read on (none: the range is read), what was wrong. */
export interface ListingStep {
  fresh: ListedUser[];
  next: ListingCursor | undefined;
  /** Server faults that may have left users unread (a short page, rows out of order): the run cannot claim completeness. */
  notes: string[];
  /** Rows came out of creation order, or none came where some were promised: the rest of the range is left unread. */
  broken: boolean;
}

/** The first cursor of a range. */
export function startOf(range: ListingRange): ListingCursor {
  return { ...(range.from && { from: range.from }), seen: [], page: 1 };
}

/**
 * Epoch microseconds of an ISO instant (six fraction digits kept, which `Date` would drop), so keys
 * compare whatever the fraction's width: `instantOf('2021-06-09T14:24:38.718846Z')`.
 */
export function instantOf(iso: string): bigint {
  const match = /^(.*?:\d{2})(?:\.(\d+))?(Z|[+-]\d{2}:?\d{2})?$/.exec(iso);
  const seconds = Date.parse(`${match?.[1] ?? iso}${match?.[3] ?? 'Z'}`);
  if (!match || Number.isNaN(seconds)) throw new RangeError(`not an ISO instant: ${iso}`);
  return BigInt(seconds) * 1000n + BigInt((match[2] ?? '').padEnd(6, '0').slice(0, 6));
}

/**
 * Reads one listing answer asked with `cursor` within `range`: drops the users already read at the
 * cursor's instant and those from `range.until` on (the next shard's), and says where to read on —
 * from the last instant served, or the next page of the same query when the whole page shared the
 * cursor's instant. The listing is read once the query's last page answered or `until` was reached.
 *
 * @example
 * nextStep({ from: 'T1', seen: ['u1'], page: 1 }, {}, { users: [u1@T1, u2@T2], total: 2, pageSize: 15 })
 * // fresh [u2], next undefined (the query's last page)
 */
export function nextStep(
  cursor: ListingCursor,
  range: ListingRange,
  answer: { users: ListedUser[]; total: number; pageSize: number },
): ListingStep {
  const notes: string[] = [];
  const at = cursor.from === undefined ? undefined : instantOf(cursor.from);
  const until = range.until === undefined ? undefined : instantOf(range.until);
  const where = `the listing from ${cursor.from ?? 'its start'}${cursor.page > 1 ? ` (page ${cursor.page})` : ''}`;
  const expected = rowsExpected({ page: cursor.page, perPage: answer.pageSize, total: answer.total });
  if (answer.users.length < expected) notes.push(`${where}: ${answer.users.length} of its ${expected} users answered`);
  const seen = new Set(cursor.seen);
  const fresh: ListedUser[] = [];
  let reachedUntil = false;
  let disordered = false;
  let previous = at;
  for (const user of answer.users) {
    const instant = instantOf(user.createdAt);
    if ((at !== undefined && instant < at) || (previous !== undefined && instant < previous)) {
      notes.push(`${where}: served ${user.userId} out of creation order`);
      disordered = true;
      break;
    }
    previous = instant;
    if (until !== undefined && instant >= until) {
      reachedUntil = true;
      break;
    }
    if (instant === at && seen.has(user.userId)) continue;
    if (fresh.some((other) => other.userId === user.userId)) continue;
    fresh.push(user);
  }
  // Within one instant, page N+1 serving only users of the pages before it is a page served again: its own users were not.
  if (cursor.page > 1 && fresh.length === 0 && answer.users.length > 0 && !reachedUntil)
    notes.push(`${where}: served only users already read`);
  const last = answer.users.at(-1);
  // An empty page where its paging promised users: where to read on is not known.
  const broken = disordered || (answer.users.length === 0 && expected > 0);
  const lastPage = answer.users.length === 0 || cursor.page * answer.pageSize >= answer.total;
  if (reachedUntil || lastPage || !last || broken) return { fresh, next: undefined, notes, broken };
  const lastAt = instantOf(last.createdAt);
  const idsAt = (instant: bigint) => answer.users.filter((user) => instantOf(user.createdAt) === instant).map((user) => user.userId);
  const next: ListingCursor =
    lastAt === at
      ? { from: cursor.from, seen: [...cursor.seen, ...idsAt(lastAt)], page: cursor.page + 1 }
      : { from: last.createdAt, seen: idsAt(lastAt), page: 1 };
  return { fresh, next, notes, broken: false };
}
