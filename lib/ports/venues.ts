import type { Amount } from '../domain/money';
import type { INDX_WRONG_WMID } from '../sources/indx/indx-error-codes';
import type { IndxInstrument } from '../sources/indx/schemas';
import type { IndxVenueAccount, VenueAccounts } from '../venues/venue-accounts';
/**
 * When each rate-limited venue account was last checked, so that each run reads the most overdue
 * accounts first and the run summary can say how much of the window is covered. Keys are the
 * accounts' keys (`multiMarketsAccountKey`, `indxAccountKey` in `check-venues.ts`); times are ISO strings.
 */
export interface VenueCheckLog {
  /** Every account of `source` ever marked, with its last check time. */
  lastChecked(source: VenueSource): Promise<Map<string, string>>;
  /** Records that the venue answered for these accounts (found or not found) at `at`. */
  markChecked(source: VenueSource, keys: string[], at: string): Promise<void>;
}

/** The rate-limited venues whose accounts are checked by coverage window. */
export type VenueSource = 'multimarkets' | 'indx';

/**
 * How well the venue checks cover a venue's mapped accounts, as of the end of one run: shown in
 * the run summary so a window the budget cannot cover is visible instead of silently assumed.
 */
export interface VenueCoverage {
  /** Mapped accounts of the venue (those of the run's users, when the run was scoped to users). */
  accounts: number;
  /** Accounts this run read and the venue answered (found or not found). */
  checked: number;
  /** Accounts not checked within the window as of the end of the run, this run's checks included; never checked counts. */
  overdue: number;
  /** The least recent last check among the accounts ever checked; absent when none was. */
  oldestCheckedAt?: string;
  /** The window every account should be checked within, in seconds. */
  window: number;
}

/**
 * How far one venue's phase of a run got, checkpointed when the final phase hands over to a fresh
 * invocation: the resumed phase skips the accounts already read (answered or not), spends only what
 * is left of the budget and marks the answered ones at the phase's first start. With `coverage` the
 * phase is over (its accounts marked) and is not read again.
 */
export interface VenuePhaseProgress {
  /** When the phase first started: the time its answered accounts are marked checked at, and its `VENUE_RUN_SECONDS` count from. */
  startedAt: string;
  /** Keys of the accounts read so far, in order (answered or not). */
  read: string[];
  /** Keys of those the venue answered for (found or not found). */
  answered: string[];
  coverage?: VenueCoverage;
}

/** Each venue's phase progress, as the final phase's checkpoint holds it. */
export type VenueProgress = Partial<Record<VenueSource, VenuePhaseProgress>>;

/** Calls one run may make to each venue; a venue left out has no limit. */
export type VenueBudgets = Partial<Record<VenueSource, number>>;

/** The venues a run reads, with the mapping of their accounts; a venue left out is not checked. */
export interface VenuePorts {
  accounts: VenueAccounts;
  multiMarkets?: { balance(account: MultiMarketsAccountRef): Promise<MultiMarketsBalance> };
  /** Each trader read with its own credentials or the shared ones; `probe` reads `INDX_WMID` first, so bad shared credentials cost one call. */
  indx?: IndxVenuePort;
}

/** One MultiMarkets currency account, as the venue-account mapping names it. */
export interface MultiMarketsAccountRef {
  thirdServerCode: string;
  userName: string;
  currency: string;
}

/** What MultiMarkets says about one account: its amount at `amount_digits`, or that it does not know it. */
export type MultiMarketsBalance =
  | { found: true; amount: Amount; scale: number; currency: string; userName: string }
  | { found: false; code: string; message: string };

/** What INDX says about one trader: `wmz` and portfolio, exact, or that the WMID is wrong (code −3). */
export type IndxBalance =
  | { found: true; wmid: string; nickname: string; wmz: Amount; price: Amount; portfolio: IndxInstrument[] }
  | { found: false; code: typeof INDX_WRONG_WMID; message: string };

/** The INDX port a run reads traders through (see `VenuePorts.indx`). */
export interface IndxVenuePort {
  /** The trader's balance, signed with its own credentials and culture, or the shared ones. */
  balance(account: IndxVenueAccount): Promise<IndxBalance>;
  /** Reads `INDX_WMID` with the shared credentials, so that bad shared credentials cost one call. */
  probe?: () => Promise<IndxBalance>;
}
