import type { CheckId } from '../../domain/check-id';
import { amountSplitCheck, SPLIT_FIELDS, type SplitSide } from '../../domain/checks/amount-split';
import { crossSourceCheck, type TotalAndLocked } from '../../domain/checks/cross-source';
import { lockedOrdersCheck, type OpenOrderRecord, reservationsOf } from '../../domain/checks/locked-orders';
import { type PresenceInput, presenceChecks } from '../../domain/checks/presence';
import { rollForwardCheck } from '../../domain/checks/roll-forward';
import { rootAssetPositionCheck, rootAssetTotalsCheck } from '../../domain/checks/root-asset';
import { sanityCheck } from '../../domain/checks/sanity';
import type { Ledger, TransferRecord } from '../../domain/ledger';
import type { Precision } from '../../domain/precision';
import type { Verdict } from '../../domain/verdict';
import type { Settled } from '../../policy/circuit-breaker';
import type { BackOfficeAvailable, BackOfficeUserBalances, ReportingBalance, UserInfo } from '../../ports/upstream';

/** Everything read about one user in one batch; a failed read is a settled failure. */
export interface UserReads {
  user: UserInfo;
  balances: Settled<ReportingBalance[]>;
  openOrders: Settled<OpenOrderRecord[]>;
  /** The user's transfers: at least every one not final at the as-of (the rest do not matter here). */
  transfers: Settled<TransferRecord[]>;
  backOffice: Settled<BackOfficeUserBalances | undefined>;
  /** The back office's `GET …/balance/` for the user: the funds available per asset, or not found (a 404). */
  backOfficeAvailable: Settled<BackOfficeAvailable>;
}

/**
 * What the run knows beyond this user: the history of trades and transfers so far — or that it could
 * not be read (`tradesComplete: false`, no ledger: roll-forward cannot be decided for anyone).
 */
export type UserCheckContext = { precision: Precision; asOf: Date } & (
  | { tradesComplete: true; ledger: Ledger }
  | { tradesComplete: false }
);

const unknown = (checks: CheckId[], userId: string, asset: string, reason: string): Verdict[] =>
  checks.map((check) => ({ check, outcome: 'unknown', userId, asset, reason }));

const unknownOne = (check: CheckId, userId: string, asset: string, reason: string): Verdict => ({
  check,
  outcome: 'unknown',
  userId,
  asset,
  reason,
});

/**
 * Every per-user check for one user: amount-split (in both sources), sanity, root-asset,
 * roll-forward, locked-orders and cross-source per asset, then root-asset totals and presence per
 * user. Any check whose source failed is `unknown` — never a mismatch built from missing data.
 */
export function userVerdicts(reads: UserReads, run: UserCheckContext): Verdict[] {
  const { userId } = reads.user;
  if (!reads.balances.ok) {
    return unknown(
      ['amount-split', 'cross-source', 'roll-forward', 'locked-orders', 'root-asset', 'presence', 'sanity'],
      userId,
      '*',
      `reporting unavailable: ${reads.balances.error.failure}`,
    );
  }
  const balances = reads.balances.value;
  const verdicts = positionVerdicts(reads, balances, run);
  verdicts.push(...crossSourceVerdicts(userId, balances, reads.backOffice, run.precision));
  verdicts.push(rootTotalsVerdict(reads.user, balances, reads.backOffice));
  const presence = presenceOfBackOffice(reads.backOffice, reads.backOfficeAvailable);
  if (presence)
    verdicts.push(...presenceChecks({ userId, reporting: new Map(balances.map((row) => [row.asset, row.amount])), backOffice: presence }));
  return verdicts;
}

/** Why roll-forward and locked-orders cannot be decided for this user (undefined: they can). */
function historyReasons(reads: UserReads, run: UserCheckContext) {
  const historyUnknown = !run.tradesComplete
    ? 'trades unavailable'
    : !reads.transfers.ok
      ? `transfers unavailable: ${reads.transfers.error.failure}`
      : undefined;
  const lockUnknown = !reads.openOrders.ok
    ? `open orders unavailable: ${reads.openOrders.error.failure}`
    : !reads.transfers.ok
      ? 'transfers unavailable'
      : undefined;
  const reservations =
    reads.openOrders.ok && reads.transfers.ok
      ? reservationsOf(reads.openOrders.value, pendingWithdrawals(reads.transfers.value, run.asOf))
      : undefined;
  return { historyUnknown, lockUnknown, reservations };
}

/** The per-asset checks of each position Reporting lists, then amount-split of those only the back office holds. */
function positionVerdicts(reads: UserReads, balances: ReportingBalance[], run: UserCheckContext): Verdict[] {
  const { userId } = reads.user;
  const { precision } = run;
  const { historyUnknown, lockUnknown, reservations } = historyReasons(reads, run);
  const backOfficeSides = backOfficeSplits(reads.backOffice, reads.backOfficeAvailable);
  const verdicts: Verdict[] = [];
  for (const row of balances) {
    const { asset } = row;
    const backOfficeSide = backOfficeSides.held.get(asset) ?? backOfficeSides.otherwise;
    const split = amountSplitCheck({ userId, asset, reporting: row, backOffice: backOfficeSide }, precision);
    verdicts.push(
      split,
      sanityCheck({ userId, asset, amount: row.amount, locked: row.locked, available: row.available }),
      rootPositionVerdict(userId, row, split),
      historyUnknown || !run.tradesComplete
        ? unknownOne('roll-forward', userId, asset, historyUnknown ?? 'trades unavailable')
        : rollForwardCheck({ userId, asset, balance: row.amount }, run.ledger.get(userId, asset), precision),
      lockUnknown || !reservations
        ? unknownOne('locked-orders', userId, asset, lockUnknown ?? 'unavailable')
        : lockedOrdersCheck({ userId, asset, locked: row.locked }, reservations.get(asset), precision),
    );
  }
  const reported = new Set(balances.map((row) => row.asset));
  for (const [asset, side] of backOfficeSides.held)
    if (!reported.has(asset)) verdicts.push(amountSplitCheck({ userId, asset, backOffice: side }, precision));
  return verdicts;
}

/** Root-asset of one position; its split sub-check left out when Reporting's own split already failed. */
function rootPositionVerdict(userId: string, row: ReportingBalance, split: Verdict): Verdict {
  const { asset, amount, rate, amountInRoot, lockedInRoot, availableInRoot } = row;
  return rootAssetPositionCheck(
    { userId, asset, amount, rate, amountInRoot, lockedInRoot, availableInRoot },
    // Reporting's own split held: the root-asset split sub-check would only repeat a Reporting amount-split finding.
    !(split.outcome === 'mismatch' && split.field === SPLIT_FIELDS.reporting),
  );
}

/** Cross-source per asset both sources hold; unknown when the back office failed or does not know the user. */
function crossSourceVerdicts(
  userId: string,
  balances: ReportingBalance[],
  backOffice: Settled<BackOfficeUserBalances | undefined>,
  precision: Precision,
): Verdict[] {
  if (!backOffice.ok) return unknown(['cross-source', 'presence'], userId, '*', `backoffice unavailable: ${backOffice.error.failure}`);
  if (!backOffice.value?.found) return unknown(['cross-source'], userId, '*', 'user not found in back office');
  const entry = backOffice.value;
  const verdicts: Verdict[] = [];
  const reporting = new Map<string, TotalAndLocked>(balances.map((row) => [row.asset, row]));
  for (const asset of new Set([...reporting.keys(), ...entry.balances.keys()])) {
    const pair = { userId, asset, backOffice: entry.balances.get(asset), reporting: reporting.get(asset) };
    // A position only one source has is presence's business, not a cross-source unknown.
    if (pair.backOffice && pair.reporting) verdicts.push(crossSourceCheck(pair, precision));
  }
  return verdicts;
}

/** Root-asset totals of the user in both sources, the back office's side unread when it failed or does not know the user. */
function rootTotalsVerdict(user: UserInfo, balances: ReportingBalance[], backOffice: Settled<BackOfficeUserBalances | undefined>): Verdict {
  const boEntry = backOffice.ok && backOffice.value?.found ? backOffice.value : undefined;
  return rootAssetTotalsCheck({
    userId: user.userId,
    reportingTotal: user.totalInRoot,
    reportingParts: balances.map((row) => row.amountInRoot),
    backOfficeTotal: boEntry?.totalFundsInRoot,
    backOfficeParts: boEntry ? [...boEntry.balances.values()].map((row) => row.fundsInRoot) : [],
    ...(!backOffice.ok
      ? { backOfficeUnread: `unavailable: ${backOffice.error.failure}` }
      : !boEntry && { backOfficeUnread: 'user not found in back office' }),
  });
}

/**
 * The back office's split of each position it holds for the user — `POST /balances` amount and
 * locked, `GET …/balance/` balance as the available part — or why it cannot be judged. `otherwise`
 * is the side of a position not in `held`: unknown when the back office could not be read, left
 * out when it was read and holds no such position (a user it does not know holds none).
 */
function backOfficeSplits(
  post: Settled<BackOfficeUserBalances | undefined>,
  get: Settled<BackOfficeAvailable>,
): { held: Map<string, SplitSide>; otherwise?: SplitSide } {
  if (!post.ok) return { held: new Map(), otherwise: { unknown: `unavailable: ${post.error.failure}` } };
  const entry = post.value;
  if (!entry?.found) return { held: new Map() };
  const held = new Map<string, SplitSide>();
  const unread = !get.ok
    ? `GET …/balance/ unavailable: ${get.error.failure}`
    : !get.value.found
      ? 'GET …/balance/ answered 404 for a user POST /balances lists'
      : undefined;
  const available = get.ok && get.value.found ? get.value.available : new Map<string, never>();
  for (const [asset, row] of entry.balances) {
    const part = available.get(asset);
    held.set(
      asset,
      unread || !part
        ? { unknown: unread ?? 'GET …/balance/ lists no balance for the asset' }
        : { amount: row.amount, locked: row.locked, available: part },
    );
  }
  for (const [asset, part] of available)
    if (!held.has(asset) && !part.isZero()) held.set(asset, { unknown: 'POST /balances lists no balance for the asset' });
  return { held };
}

/**
 * What presence is told of the back office: the amounts it holds, or that it does not know the
 * user — said by `POST /balances` (`User with id:… not found.`) or by a 404 of `GET …/balance/`.
 * Undefined when `POST /balances` failed: a 404 alone, with nothing else read, could be a wrong URL.
 */
function presenceOfBackOffice(
  post: Settled<BackOfficeUserBalances | undefined>,
  get: Settled<BackOfficeAvailable>,
): PresenceInput['backOffice'] {
  if (!post.ok) return undefined;
  const entry = post.value;
  if (!entry) return { found: false, message: 'user missing from the back-office answer' };
  if (!entry.found) return { found: false, message: entry.message };
  if (get.ok && !get.value.found) return { found: false, message: get.value.message };
  return { found: true, amounts: new Map([...entry.balances].map(([asset, row]) => [asset, row.amount])) };
}

/** Withdrawals not yet final at the as-of: their funds are locked. */
function pendingWithdrawals(transfers: readonly TransferRecord[], asOf: Date) {
  return transfers.filter(
    (row) =>
      row.type === 'Withdrawal' &&
      (row.status === 'Pending' || row.status === 'AwaitingConfirmation') &&
      Date.parse(row.createdAt) <= asOf.getTime(),
  );
}
