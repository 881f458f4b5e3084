import type { CheckId } from '../domain/check-id';
import { amountSplitCheck } from '../domain/checks/amount-split';
import { crossSourceCheck, type TotalAndLocked } from '../domain/checks/cross-source';
import { lockedOrdersCheck, type OpenOrderRecord, reservationsOf } from '../domain/checks/locked-orders';
import { presenceChecks } from '../domain/checks/presence';
import { rollForwardCheck } from '../domain/checks/roll-forward';
import { rootAssetPositionCheck, rootAssetTotalsCheck } from '../domain/checks/root-asset';
import { sanityCheck } from '../domain/checks/sanity';
import type { Ledger, TransferRecord } from '../domain/ledger';
import type { Precision } from '../domain/precision';
import type { Verdict } from '../domain/verdict';
import type { Settled } from './circuit-breaker';
import type { BackOfficeUserBalances, ReportingBalance, UserInfo } from './ports';

/** Everything read about one user in one batch; a failed read is a settled failure. */
export interface UserReads {
  user: UserInfo;
  balances: Settled<ReportingBalance[]>;
  openOrders: Settled<OpenOrderRecord[]>;
  /** The user's transfers: at least every one not final at the as-of (the rest do not matter here). */
  transfers: Settled<TransferRecord[]>;
  backOffice: Settled<BackOfficeUserBalances | undefined>;
}

/** What the run knows beyond this user: the history of trades and transfers so far, and whether it is whole. */
export interface RunContext {
  ledger: Ledger;
  /** False when the trades could not be read: roll-forward cannot be decided for anyone. */
  tradesComplete: boolean;
  precision: Precision;
  asOf: Date;
}

const unknown = (checks: CheckId[], userId: string, asset: string, reason: string): Verdict[] =>
  checks.map((check) => ({ check, outcome: 'unknown', userId, asset, reason }));

/**
 * Every per-user check for one user: amount-split, sanity, root-asset, roll-forward, locked-orders
 * and cross-source per asset, then root-asset totals and presence per user. Any check whose source
 * failed is `unknown` — never a mismatch built from missing data.
 */
export function userVerdicts(reads: UserReads, run: RunContext): Verdict[] {
  const { userId } = reads.user;
  const { precision } = run;
  if (!reads.balances.ok) {
    return unknown(
      ['amount-split', 'cross-source', 'roll-forward', 'locked-orders', 'root-asset', 'presence', 'sanity'],
      userId,
      '*',
      `reporting unavailable: ${reads.balances.error.failure}`,
    );
  }
  const balances = reads.balances.value;
  const verdicts: Verdict[] = [];
  const reservations =
    reads.openOrders.ok && reads.transfers.ok
      ? reservationsOf(reads.openOrders.value, pendingWithdrawals(reads.transfers.value, run.asOf))
      : undefined;
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

  for (const row of balances) {
    const { asset } = row;
    const splitBalance = { userId, asset, amount: row.amount, locked: row.locked, available: row.available };
    const split = amountSplitCheck(splitBalance, precision);
    verdicts.push(split, sanityCheck(splitBalance));
    verdicts.push(
      rootAssetPositionCheck(
        {
          userId,
          asset,
          amount: row.amount,
          rate: row.rate,
          amountInRoot: row.amountInRoot,
          lockedInRoot: row.lockedInRoot,
          availableInRoot: row.availableInRoot,
        },
        split.outcome === 'match',
      ),
    );
    verdicts.push(
      historyUnknown
        ? (unknown(['roll-forward'], userId, asset, historyUnknown)[0] as Verdict)
        : rollForwardCheck({ userId, asset, balance: row.amount }, run.ledger.get(userId, asset), precision),
    );
    verdicts.push(
      lockUnknown || !reservations
        ? (unknown(['locked-orders'], userId, asset, lockUnknown ?? 'unavailable')[0] as Verdict)
        : lockedOrdersCheck({ userId, asset, locked: row.locked }, reservations.get(asset), precision),
    );
  }

  const backOffice = reads.backOffice;
  if (!backOffice.ok) {
    verdicts.push(...unknown(['cross-source', 'presence'], userId, '*', `backoffice unavailable: ${backOffice.error.failure}`));
  } else if (backOffice.value?.found) {
    const entry = backOffice.value;
    const reporting = new Map<string, TotalAndLocked>(balances.map((row) => [row.asset, row]));
    for (const asset of new Set([...reporting.keys(), ...entry.balances.keys()])) {
      const pair = { userId, asset, backOffice: entry.balances.get(asset), reporting: reporting.get(asset) };
      // A position only one source has is presence's business, not a cross-source unknown.
      if (pair.backOffice && pair.reporting) verdicts.push(crossSourceCheck(pair, precision));
    }
  } else {
    verdicts.push(...unknown(['cross-source'], userId, '*', 'user not found in back office'));
  }

  const boEntry = backOffice.ok && backOffice.value?.found ? backOffice.value : undefined;
  verdicts.push(
    rootAssetTotalsCheck({
      userId,
      reportingTotal: reads.user.totalInRoot,
      reportingParts: balances.map((row) => row.amountInRoot),
      backOfficeTotal: boEntry?.totalFundsInRoot,
      backOfficeParts: boEntry ? [...boEntry.balances.values()].map((row) => row.fundsInRoot) : [],
    }),
  );
  if (backOffice.ok) {
    const found = backOffice.value;
    verdicts.push(
      ...presenceChecks({
        userId,
        reporting: new Map(balances.map((row) => [row.asset, row.amount])),
        backOffice: !found
          ? { found: false, message: 'user missing from the back-office answer' }
          : found.found
            ? { found: true, amounts: new Map([...found.balances].map(([asset, row]) => [asset, row.amount])) }
            : { found: false, message: found.message },
      }),
    );
  }
  return verdicts;
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
