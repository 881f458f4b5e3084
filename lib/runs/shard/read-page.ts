import type { OpenOrderRecord } from '../../domain/checks/locked-orders';
import type { CircuitBreaker, Settled } from '../../policy/circuit-breaker';
import type { Limit } from '../../policy/concurrency-limit';
import type { HistoryChunk, VerifiedRecord } from '../../ports/history';
import type { ListingCursor, ListingRange, RunPlan } from '../../ports/run-state';
import type { SourceError } from '../../ports/source-error';
import type {
  BackOfficeAvailable,
  BackOfficePort,
  BackOfficeUserBalances,
  ListedUser,
  ReportingBalance,
  ReportingPort,
} from '../../ports/upstream';
import { type BatchHistory, type HistoryOptions, type RolledHistory, readBatchHistory, rollBatchHistory } from '../history/batch-history';
import { type ListingStep, nextStep } from '../listing-cursor';
import type { SourceHealthTracker } from '../source-health';
import type { TotalsAhead } from './totals-ahead';
import { reasonAfterCheapReads, reasonBeforeReads, type SelectionContext, type VerifyReason } from './verify-selection';

/** Everything read about one user of a page; a failed read is a settled failure. */
export interface UserRead {
  user: ListedUser;
  balances: Settled<ReportingBalance[]>;
  openOrders: Settled<OpenOrderRecord[]>;
  /** The back office's `GET …/balance/` for the user. */
  available: Settled<BackOfficeAvailable>;
}

/**
 * One page of a shard as read, before any check: past the end of the range (`end`); a listing request
 * that failed (the rest of the range is left unread); a listing answer with no user to check (none
 * fresh, or none in scope); or the page's users and every read of them.
 */
export type PageRead =
  | { kind: 'end' }
  | { kind: 'listing-failed'; page: number; at: ListingCursor; error: SourceError }
  | { kind: 'listed'; page: number; at: ListingCursor; step: ListingStep }
  | {
      kind: 'read';
      page: number;
      at: ListingCursor;
      step: ListingStep;
      users: UserRead[];
      /** The back office's `POST /balances` of the page's users, in one call. */
      backOffice: Settled<BackOfficeUserBalances[]>;
      history: Settled<BatchHistory>;
      /** Set when the page's users were selected: who was carried, and why the others were verified. */
      incremental?: IncrementalRead;
    };

/** What reading a page needs: the plan, the sources behind their breaker and limit, the stored totals. */
export interface ReadContext {
  plan: RunPlan;
  range: ListingRange;
  reporting: ReportingPort;
  backOffice: BackOfficePort;
  breaker: CircuitBreaker;
  health: SourceHealthTracker;
  /** Back-office per-user calls at once. */
  backOfficeLimit: Limit;
  /** Reporting per-user calls at once, when more pages are in flight than a full run reads (a run that selects users). */
  reportingLimit?: Limit;
  /**
   * The same sources with the cheap reads of concurrent pages joined (see `lib/policy/coalesce.ts`),
   * in a run that selects users: a page whose users are mostly carried reads through them.
   */
  joined?: { reporting: ReportingPort; backOffice: BackOfficePort };
  totals: TotalsAhead;
  history: HistoryOptions;
  /** Set when users are verified in full only when they need it (`FULL_VERIFY_HOURS` > 0, a whole unscoped run). */
  incremental?: SelectionContext;
}

/** A listing answer a page's reads start from. */
export type Listed =
  | { kind: 'listing-failed'; page: number; at: ListingCursor; error: SourceError }
  | { kind: 'listed'; page: number; at: ListingCursor; step: ListingStep };

/**
 * Reads a shard's pages ahead of their checks: `concurrency` pages at once, each listing request
 * after the one before it (it starts from the key that one reached), each page's users read while
 * the next listing request goes out. Pages are handed out in order.
 */
export class PageReader {
  private cursor: ListingCursor | undefined;
  private page: number;
  private listingChain: Promise<unknown> = Promise.resolve();
  private readonly inFlight: Promise<PageRead>[] = [];

  /** `cursor` undefined: the range is read to its end. */
  constructor(
    private readonly context: ReadContext,
    start: { cursor: ListingCursor | undefined; page: number },
    private readonly concurrency: number,
  ) {
    this.cursor = start.cursor;
    this.page = start.page;
  }

  /** Starts reading pages until `concurrency` are in flight or the listing is read to its end. */
  fill(): void {
    while (this.inFlight.length < this.concurrency && this.cursor) {
      const listed = this.listingChain.then(() => this.list());
      this.listingChain = listed.catch(() => undefined);
      // Awaited in order by `next`, a page abandoned must not reject unheard.
      const read = listed.then((one) => (one ? readPage(one, this.context) : { kind: 'end' as const }));
      read.catch(() => undefined);
      this.inFlight.push(read);
    }
  }

  /** The next page in order, or undefined when none is in flight. */
  next(): Promise<PageRead> | undefined {
    return this.inFlight.shift();
  }

  /** Waits for every page in flight (a worker stopping), whatever they end in. */
  async abandon(): Promise<void> {
    await Promise.allSettled(this.inFlight);
  }

  /** The next listing request from the cursor; undefined once the range is read. */
  private async list(): Promise<Listed | undefined> {
    const at = this.cursor;
    if (!at) return undefined;
    const page = this.page++;
    const { plan, breaker, health, reporting } = this.context;
    const listing = await breaker.call('reporting', () =>
      reporting.usersPage({ ...(at.from && { from: at.from }), to: plan.asOf }, at.page, plan.askedPageSize),
    );
    health.note('reporting', listing);
    if (!listing.ok) {
      this.cursor = undefined;
      return { kind: 'listing-failed', page, at, error: listing.error };
    }
    const step = nextStep(at, this.context.range, listing.value);
    this.cursor = step.next;
    return { kind: 'listed', page, at, step };
  }
}

/** Every read of one listed page's users, before any check runs (so the next page's reads overlap this page's checks). */
export async function readPage(listed: Listed, context: ReadContext): Promise<PageRead> {
  if (listed.kind === 'listing-failed') return listed;
  const scope = context.plan.scope;
  const users = scope?.users ? listed.step.fresh.filter((user) => scope.users?.includes(user.userId)) : listed.step.fresh;
  if (users.length === 0) return listed;
  if (context.incremental) return readIncrementally({ ...listed, users }, context, context.incremental);
  const { breaker, reporting, backOffice } = context;
  const userIds = users.map((user) => user.userId);
  const storedTotals = context.totals.of(listed.page);
  const full = readUsersInFull(users, context);
  const backOfficeRead = breaker.call('backoffice', () => backOffice.balances(userIds));
  // History is read alongside the balances; only its fills wait for the resting orders.
  const historyRead = storedTotals.then((stored) =>
    breaker.call('reporting', () => readBatchHistory(userIds, openIdsOf(users, full.openOrders), stored, context.history, reporting)),
  );
  const [reads, backOfficeAll, history] = await Promise.all([full.reads, backOfficeRead, historyRead]);
  context.health.note('reporting', history);
  return { ...listed, kind: 'read', users: reads, backOffice: backOfficeAll, history };
}

/**
 * A page whose users were selected (see {@link readIncrementally}): the users carried with the record of
 * their last full verification, why each other user was verified, and every record stored before the run.
 */
export interface IncrementalRead {
  /** The run's as-of (ms): the time a verification now records. */
  asOf: number;
  carried: { user: ListedUser; record: VerifiedRecord }[];
  reasons: Map<string, VerifyReason>;
  stored: Map<string, VerifiedRecord>;
}

/**
 * A page's reads when users are verified in full only when they need it: the cheap reads for every
 * user (the back office's `POST /balances`, the history since the watermark with the stored resting
 * orders of users not read now), the full reads for those selected before them (new, retry, active,
 * due) at once and for those the cheap reads select (back office changed, new history rows, a cheap
 * read failed) after them. Every other user is carried: nothing more is read of them.
 */
async function readIncrementally(
  listed: Extract<Listed, { kind: 'listed' }> & { users: ListedUser[] },
  context: ReadContext,
  selection: SelectionContext,
): Promise<PageRead> {
  const { breaker } = context;
  const { users, ...page } = listed;
  const userIds = users.map((user) => user.userId);
  const stored = await context.totals.of(listed.page);
  const records = recordsOf(stored, selection.now);
  const reasons = new Map<string, VerifyReason>();
  for (const user of users) {
    const reason = reasonBeforeReads(user.userId, records.get(user.userId), selection);
    if (reason) reasons.set(user.userId, reason);
  }
  const early = users.filter((user) => reasons.has(user.userId));
  const earlyReads = readUsersInFull(early, context);
  const { backOffice, reporting } = cheapReadsOf(early.length, users.length, context);
  const backOfficeRead = breaker.call('backoffice', () => backOffice.balances(userIds));
  const forFills = openIdsOf(early, earlyReads.openOrders).then((read) => withStoredOrders(read, userIds, stored));
  const historyRead = breaker.call('reporting', () => rollBatchHistory(userIds, forFills, stored, context.history, reporting));
  const [backOfficeAll, rolled] = await Promise.all([backOfficeRead, historyRead]);
  context.health.note('reporting', rolled);
  const carried = selectAfterCheapReads(users, records, reasons, backOfficeAll, rolled);
  const late = users.filter((user) => reasons.has(user.userId) && !early.includes(user));
  const lateReads = readUsersInFull(late, context);
  const reads = [...(await earlyReads.reads), ...(await lateReads.reads)];
  // A verified user whose open orders could not be read keeps the totals where they were (not movable); a carried one keeps its stored orders.
  const readNow = await openIdsOf(
    reads.map((one) => one.user),
    Promise.resolve(reads.map((one) => one.openOrders)),
  );
  const resting = withStoredOrders(
    readNow,
    carried.map((one) => one.user.userId),
    stored,
  );
  const history: Settled<BatchHistory> = rolled.ok
    ? { ok: true, value: { ...rolled.value, next: rolled.value.totals(resting, reads.length > 0) } }
    : rolled;
  return {
    ...page,
    kind: 'read',
    users: reads,
    backOffice: backOfficeAll,
    history,
    incremental: { asOf: selection.now, carried, reasons, stored: records },
  };
}

/**
 * Where a page's cheap reads go: joined with the other pages' when most of its users may be carried
 * (the joined calls are then most of its calls), straight to the sources when half or more are verified
 * in full anyway (the per-user reads are most of its calls, and a joined call waits for company).
 */
function cheapReadsOf(early: number, users: number, context: ReadContext): { reporting: ReportingPort; backOffice: BackOfficePort } {
  return context.joined && early * 2 < users ? context.joined : context;
}

/**
 * The users the cheap reads select (added to `reasons`), and the rest, carried: a user selected before
 * them or without a record is neither (it is verified).
 */
function selectAfterCheapReads(
  users: ListedUser[],
  records: Map<string, VerifiedRecord>,
  reasons: Map<string, VerifyReason>,
  backOfficeAll: Settled<BackOfficeUserBalances[]>,
  rolled: Settled<RolledHistory>,
): IncrementalRead['carried'] {
  const byUser = backOfficeAll.ok ? new Map(backOfficeAll.value.map((entry) => [entry.userId, entry])) : undefined;
  const carried: IncrementalRead['carried'] = [];
  for (const user of users) {
    const record = records.get(user.userId);
    if (reasons.has(user.userId) || !record) continue;
    const backOffice = byUser ? byUser.get(user.userId) : 'unread';
    const reason = reasonAfterCheapReads(record, backOffice, rolled.ok ? rolled.value.changed.has(user.userId) : 'unread');
    if (reason) reasons.set(user.userId, reason);
    else carried.push({ user, record });
  }
  return carried;
}

/** Each user's record of its last full verification, from the page's stored totals (none when they run past the as-of). */
function recordsOf(stored: HistoryChunk | undefined, asOf: number): Map<string, VerifiedRecord> {
  const records = new Map<string, VerifiedRecord>();
  if (!stored || stored.watermark > asOf) return records;
  for (const [userId, totals] of Object.entries(stored.users)) if (totals.verified) records.set(userId, totals.verified);
  return records;
}

/** The resting orders read now, with the stored ones of each user not read now (their fills are read; they stay stored). */
function withStoredOrders(read: Map<string, string[]>, userIds: string[], stored: HistoryChunk | undefined): Map<string, string[]> {
  const all = new Map(read);
  for (const userId of userIds) {
    const kept = stored?.users[userId]?.openOrders;
    if (!all.has(userId) && kept) all.set(userId, [...kept]);
  }
  return all;
}

/** The per-user reads of a full verification, started: Reporting balances and open orders, the back office's `GET …/balance/`. */
export function readUsersInFull(
  users: ListedUser[],
  context: ReadContext,
): { openOrders: Promise<Settled<OpenOrderRecord[]>[]>; reads: Promise<UserRead[]> } {
  const { breaker, reporting, backOffice, backOfficeLimit } = context;
  const limit = context.reportingLimit ?? ((task) => task());
  const balancesRead = Promise.all(users.map((user) => limit(() => breaker.call('reporting', () => reporting.userBalances(user.userId)))));
  const openOrders = Promise.all(users.map((user) => limit(() => breaker.call('reporting', () => reporting.openOrders(user.userId)))));
  // Through the limit, then the breaker: a back office that fails stops being called after a few users, not after all.
  const availableRead = Promise.all(
    users.map((user) => backOfficeLimit(() => breaker.call('backoffice', () => backOffice.available(user.userId)))),
  );
  const reads = Promise.all([balancesRead, openOrders, availableRead]).then(([balances, orders, available]) =>
    users.map((user, i) => ({ user, balances: at(balances, i), openOrders: at(orders, i), available: at(available, i) })),
  );
  return { openOrders, reads };
}

/** The ids of each user's resting orders, for the users whose open orders were read. */
export async function openIdsOf(users: ListedUser[], read: Promise<Settled<OpenOrderRecord[]>[]>): Promise<Map<string, string[]>> {
  const orders = await read;
  const ids = new Map<string, string[]>();
  users.forEach((user, i) => {
    const one = at(orders, i);
    if (one.ok)
      ids.set(
        user.userId,
        one.value.map((order) => order.orderId),
      );
  });
  return ids;
}

/** The `i`th of a list read one per user (always there: one answer per user). */
export function at<T>(list: readonly T[], i: number): T {
  const one = list[i];
  if (one === undefined) throw new RangeError(`no read for user ${i}`);
  return one;
}

/** Notes in the sources' health what a page's per-user reads answered (the listing and history were noted as they came). */
export function noteReadHealth(health: SourceHealthTracker, read: PageRead): void {
  if (read.kind !== 'read') return;
  health.note('backoffice', read.backOffice);
  for (const one of read.users) {
    health.note('reporting', one.balances);
    health.note('reporting', one.openOrders);
    health.note('backoffice', one.available);
  }
}
