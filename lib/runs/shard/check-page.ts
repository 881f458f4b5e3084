import type { CheckId } from '../../domain/check-id';
import { isCounted } from '../../domain/checks/asset-totals';
import { Amount } from '../../domain/money';
import type { Precision } from '../../domain/precision';
import type { Verdict } from '../../domain/verdict';
import type { Settled } from '../../policy/circuit-breaker';
import type { HistoryChunk, VerifiedRecord } from '../../ports/history';
import type { ListingCursor } from '../../ports/run-state';
import type { VerificationCounts } from '../../ports/run-summary';
import type { BackOfficeUserBalances, ReportingBalance } from '../../ports/upstream';
import type { BatchHistory } from '../history/batch-history';
import type { IncrementalRead, PageRead, UserRead } from './read-page';
import { type UserCheckContext, userVerdicts } from './user-verdicts';
import { backOfficeRecord } from './verify-selection';

/** What checking a page needs beyond its reads. */
export interface CheckContext {
  precision: Precision;
  asOf: Date;
  /** Where the shard's range ends (its `until`, else the as-of): a listing left unread is unread up to here. */
  until: string;
}

/** What one page adds to its shard: its verdicts and the counts, sums and notes the tally takes from it. */
export interface PageResult {
  page: number;
  /** Where the listing goes on after this page (undefined: read to its end). */
  next: ListingCursor | undefined;
  /** The listing range left unread from this page on (a failed or broken listing answer). */
  unread?: { from?: string; to: string };
  /** Server faults of the listing answer. */
  notes: string[];
  /** Users the listing served (scoped or not); undefined when the listing request failed. */
  listed: number | undefined;
  /** Users checked, positions Reporting listed for them. */
  users: number;
  positions: number;
  verdicts: Verdict[];
  /** Users any of whose reads failed. */
  unchecked: string[];
  /** A counted user's balances could not be read: the asset sums are not whole. */
  sumsIncomplete: boolean;
  /** The first root-asset rate the page gives each asset. */
  rates: Record<string, string>;
  /** Balances of users the Reporting totals count, and of those they leave out (each user's list as read, or as a carried user's last verification read it). */
  counted: Pick<ReportingBalance, 'asset' | 'amount'>[][];
  outside: Pick<ReportingBalance, 'asset' | 'amount'>[][];
  /** Users verified and carried (pages whose users were selected only). */
  verification?: VerificationCounts;
  /** What the history read gave: its rows, users read incrementally, the running totals to store (if any). */
  history?: { rows: number; incrementalUsers: number; next: HistoryChunk | undefined };
}

type ReadPage = Extract<PageRead, { kind: 'read' }>;

/**
 * Checks a page as read — pure: no I/O and nothing mutated. A source that failed makes its checks
 * `unknown` (never a mismatch) and its users unchecked.
 */
export function checkPage(read: Exclude<PageRead, { kind: 'end' }>, context: CheckContext): PageResult {
  const listing = read.kind === 'listing-failed' ? undefined : read.step;
  const result: PageResult = {
    page: read.page,
    next: listing?.next,
    ...((!listing || listing.broken) && { unread: { ...(read.at.from && { from: read.at.from }), to: context.until } }),
    notes: listing?.notes ?? [],
    listed: listing?.fresh.length,
    users: 0,
    positions: 0,
    verdicts: [],
    unchecked: [],
    sumsIncomplete: !listing || listing.broken,
    rates: {},
    counted: [],
    outside: [],
  };
  if (read.kind === 'read') checkUsers(read, context, result);
  return result;
}

/** Adds the checks of a page's users to its (fresh) result. */
function checkUsers(read: ReadPage, context: CheckContext, result: PageResult): void {
  const { history, backOffice } = read;
  const byUser = backOffice.ok ? new Map(backOffice.value.map((entry) => [entry.userId, entry])) : undefined;
  const run: UserCheckContext = history.ok
    ? { ledger: history.value.ledger, tradesComplete: true, precision: context.precision, asOf: context.asOf }
    : { tradesComplete: false, precision: context.precision, asOf: context.asOf };
  for (const one of read.users) {
    const { user, balances } = one;
    result.verdicts.push(...userVerdicts(userReads(one, history, backOffice, byUser), run));
    if (!(balances.ok && one.openOrders.ok && one.available.ok && history.ok && backOffice.ok)) result.unchecked.push(user.userId);
    if (!balances.ok) {
      if (isCounted(user.roles)) result.sumsIncomplete = true;
      continue;
    }
    result.positions += balances.value.length;
    for (const row of balances.value) if (row.rate && !result.rates[row.asset]) result.rates[row.asset] = row.rate.toString();
    // A user whose roles the Reporting totals leave out holds funds outside them: information, not a finding.
    (isCounted(user.roles) ? result.counted : result.outside).push(balances.value);
  }
  result.users = read.users.length;
  if (history.ok) result.history = { rows: history.value.rows, incrementalUsers: history.value.incrementalUsers, next: history.value.next };
  if (read.incremental) carryUsers(read, read.incremental, result);
}

/**
 * A selected page's carried users into its result — counted, their positions and Reporting amounts as
 * their last verification read them, no verdict — and each user's verification record into the totals to store.
 */
function carryUsers(read: ReadPage, incremental: IncrementalRead, result: PageResult): void {
  const verification: VerificationCounts = { verifiedUsers: read.users.length, carriedUsers: incremental.carried.length, perCheck: {} };
  const checksByUser = new Map<string, VerifiedRecord['checks']>();
  for (const verdict of result.verdicts) {
    countCheck(verification, verdict.check, 'verified', 1);
    const checks = checksByUser.get(verdict.userId) ?? {};
    checks[verdict.check] = (checks[verdict.check] ?? 0) + 1;
    checksByUser.set(verdict.userId, checks);
  }
  const records = new Map<string, VerifiedRecord>();
  for (const { user, record } of incremental.carried) {
    records.set(user.userId, record);
    for (const [check, n] of Object.entries(record.checks) as [CheckId, number][]) countCheck(verification, check, 'carried', n);
    const at = new Date(record.at).toISOString();
    if (!verification.oldestVerifiedAt || at < verification.oldestVerifiedAt) verification.oldestVerifiedAt = at;
    const balances = Object.entries(record.reporting).map(([asset, amount]) => ({ asset, amount: Amount.parse(amount) }));
    result.positions += balances.length;
    (isCounted(user.roles) ? result.counted : result.outside).push(balances);
  }
  result.users += incremental.carried.length;
  result.verification = verification;
  const unchecked = new Set(result.unchecked);
  const backOffice = read.backOffice.ok ? new Map(read.backOffice.value.map((entry) => [entry.userId, entry])) : undefined;
  for (const one of read.users) {
    const { userId } = one.user;
    const record = unchecked.has(userId)
      ? retryOf(incremental.stored.get(userId))
      : verifiedRecord(one, backOffice, incremental.asOf, checksByUser.get(userId) ?? {});
    if (record) records.set(one.user.userId, record);
  }
  const next = result.history?.next;
  if (result.history && next) result.history = { ...result.history, next: withRecords(next, records) };
}

function countCheck(counts: VerificationCounts, check: CheckId, side: 'verified' | 'carried', n: number): void {
  const entry = counts.perCheck[check] ?? { verified: 0, carried: 0 };
  entry[side] += n;
  counts.perCheck[check] = entry;
}

/** A verification needed and not completed (a read failed): the last record stands, marked to be verified again. */
function retryOf(stored: VerifiedRecord | undefined): VerifiedRecord | undefined {
  return stored && { ...stored, retry: true };
}

/** What a user's full verification in this run saw: its back-office and Reporting figures, its verdicts per check. */
function verifiedRecord(
  one: UserRead,
  backOffice: Map<string, BackOfficeUserBalances> | undefined,
  asOf: number,
  checks: VerifiedRecord['checks'],
): VerifiedRecord | undefined {
  if (!one.balances.ok || !backOffice) return undefined;
  return {
    at: asOf,
    backOffice: backOfficeRecord(backOffice.get(one.user.userId)),
    reporting: Object.fromEntries(one.balances.value.map((row) => [row.asset, row.amount.toString()])),
    checks,
  };
}

/** The totals to store with each user's verification record. */
function withRecords(chunk: HistoryChunk, records: ReadonlyMap<string, VerifiedRecord>): HistoryChunk {
  const users: HistoryChunk['users'] = {};
  for (const [userId, totals] of Object.entries(chunk.users)) {
    const verified = records.get(userId);
    users[userId] = verified ? { ...totals, verified } : totals;
  }
  return { ...chunk, users };
}

/** One user's reads as the per-user checks take them: their transfers and back-office entry picked from the page's. */
function userReads(
  one: UserRead,
  history: Settled<BatchHistory>,
  backOffice: Settled<BackOfficeUserBalances[]>,
  byUser: Map<string, BackOfficeUserBalances> | undefined,
) {
  return {
    user: one.user,
    balances: one.balances,
    openOrders: one.openOrders,
    transfers: history.ok ? { ok: true as const, value: history.value.transfers.get(one.user.userId) ?? [] } : history,
    backOffice: backOffice.ok ? { ok: true as const, value: byUser?.get(one.user.userId) } : backOffice,
    backOfficeAvailable: one.available,
  };
}
