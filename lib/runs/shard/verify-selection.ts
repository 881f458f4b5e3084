import { Amount } from '../../domain/money';
import type { VerifiedRecord } from '../../ports/history';
import type { BackOfficeUserBalances } from '../../ports/upstream';

/**
 * Why a run verifies a user in full (Reporting balances and open orders, the back office per user,
 * every check) instead of carrying its last verdicts: `new` (no record of a verification), `retry` (the
 * last one needed did not complete), `active` (an open or acknowledged discrepancy), `due` (its slot
 * in the window came), `back-office` (its `POST /balances` figures differ from the record), `history`
 * (rows not yet counted), `unread` (a cheap read failed: nothing says it did not change).
 */
export type VerifyReason = 'new' | 'retry' | 'active' | 'due' | 'back-office' | 'history' | 'unread';

/** What deciding before any read needs: the run's as-of, the window and who has an active discrepancy. */
export interface SelectionContext {
  /** The run's as-of (ms). */
  now: number;
  /** `FULL_VERIFY_HOURS` in ms: every user is verified in full at least once per window. */
  windowMs: number;
  hasActive: (userId: string) => boolean;
}

/**
 * Where in each window a user's slot falls (ms from the window's start): a stable hash of the id, so
 * the users' slots spread evenly over the window and each run verifies about its share of the book.
 *
 * @example
 * slotPhase('u-1', 86_400_000) // the same number in [0, 86_400_000) on every run
 */
export function slotPhase(userId: string, windowMs: number): number {
  // FNV-1a (32 bits): cheap, stable across processes, spreads short ids evenly.
  let hash = 0x811c9dc5;
  for (let i = 0; i < userId.length; i++) {
    hash ^= userId.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return Math.floor((hash / 2 ** 32) * windowMs);
}

/**
 * Whether a user verified at `lastAt` is due at `now`: one of its slot times `phase + k·window` falls
 * in `(lastAt, now]`, or (a guard whatever the slots say) a whole window has passed since.
 *
 * @example
 * isDue('u-1', now - 86_400_000, now, 86_400_000) // true: a whole window passed
 */
export function isDue(userId: string, lastAt: number, now: number, windowMs: number): boolean {
  if (now - lastAt >= windowMs) return true;
  const phase = slotPhase(userId, windowMs);
  return Math.floor((now - phase) / windowMs) > Math.floor((lastAt - phase) / windowMs);
}

/** Why a user is verified in full whatever the cheap reads say, or undefined (the cheap reads decide). */
export function reasonBeforeReads(userId: string, record: VerifiedRecord | undefined, context: SelectionContext): VerifyReason | undefined {
  if (!record) return 'new';
  if (record.retry) return 'retry';
  if (context.hasActive(userId)) return 'active';
  if (isDue(userId, record.at, context.now, context.windowMs)) return 'due';
  return undefined;
}

/**
 * Why the cheap reads make a user (not selected before them) need a full verification, or undefined
 * (carried): a failed cheap read, back-office figures unlike the record's, or history rows not yet counted.
 */
export function reasonAfterCheapReads(
  record: VerifiedRecord,
  backOffice: BackOfficeUserBalances | undefined | 'unread',
  historyChanged: boolean | 'unread',
): VerifyReason | undefined {
  if (backOffice === 'unread' || historyChanged === 'unread') return 'unread';
  if (historyChanged) return 'history';
  if (!sameBackOffice(record.backOffice, backOffice)) return 'back-office';
  return undefined;
}

/** The back office's `POST /balances` of one user as a verification record keeps it (null: it does not know the user). */
export function backOfficeRecord(entry: BackOfficeUserBalances | undefined): VerifiedRecord['backOffice'] {
  if (!entry?.found) return null;
  return Object.fromEntries([...entry.balances].map(([asset, row]) => [asset, [row.amount.toString(), row.locked.toString()]]));
}

/** Whether the back office says now what it said at the record's verification (compared exactly, not as text). */
function sameBackOffice(recorded: VerifiedRecord['backOffice'], now: BackOfficeUserBalances | undefined): boolean {
  if (recorded === null || !now?.found) return recorded === null && !now?.found;
  const assets = Object.keys(recorded);
  if (assets.length !== now.balances.size) return false;
  return assets.every((asset) => {
    const row = now.balances.get(asset);
    const [amount, locked] = recorded[asset] ?? [];
    return (
      row !== undefined &&
      amount !== undefined &&
      locked !== undefined &&
      row.amount.equals(Amount.parse(amount)) &&
      row.locked.equals(Amount.parse(locked))
    );
  });
}
