import type { BreakTotals } from '../domain/break-totals';
import type { CheckId } from '../domain/check-id';
import type { Discrepancy } from '../domain/discrepancy';
import type { Severity } from '../domain/severity';
import type { Outcome } from '../domain/verdict';
import type { RunScope } from './run-scope';
import type { SourceName } from './upstream';
import type { VenueCoverage } from './venues';
/** How a run was started, and by whom when a person started it. */
export interface RunTrigger {
  type: 'schedule' | 'manual' | 'direct';
  /** Who started it, as verified: the token's `sub` (manual), `invoke` (direct: the IAM principal, not a person). */
  by?: string;
  eventId?: string;
  /** A name a direct invoke was given (`requestedBy`, `manualBy`) that nothing verified: recorded, never trusted. */
  claimedBy?: string;
}

/** Verdict counts of one check in one run. */
export type CheckTally = Record<Outcome, number>;

/** How a source behaved during a run. */
export interface SourceHealth {
  status: 'ok' | 'degraded' | 'unavailable';
  failures: number;
  firstError?: string;
  /** Fields the source sent that its schema does not know, per endpoint: the schema drifted. */
  drift?: { endpoint: string; fields: string[] }[];
  /** Endpoints that failed in the run (`*`: a failure that named none). */
  failingEndpoints?: string[];
  /** Endpoints that answered in the run; left out when the wiring does not note them (then the source counts as one endpoint). */
  answeredEndpoints?: string[];
}

/** A discrepancy as listed in a run summary. */
export type DiscrepancyRef = Pick<
  Discrepancy,
  'id' | 'check' | 'userId' | 'asset' | 'field' | 'expected' | 'actual' | 'difference' | 'severity'
>;

/**
 * What a run did: when, over what, each check's verdict counts, each source's health and the
 * discrepancies found. `complete` means every source answered; `partial` that some checks are
 * `unknown` because a source failed; `failed` that the run could not even enumerate its scope.
 */
export interface RunSummary {
  runId: string;
  trigger: RunTrigger;
  asOf: string;
  startedAt: string;
  finishedAt: string;
  status: 'complete' | 'partial' | 'failed' | 'skipped' | 'queued' | 'running';
  /** What the run covered, when it was scoped (users, assets, checks, sources). */
  scope?: RunScope;
  /**
   * What the run's last drain of the outbox did: alerts published (a storm summary counts one) and
   * alerts still owed after it (SNS refused or did not answer: the next run publishes them).
   */
  alerts?: { published: number; owed: number };
  /** How far a running run is (users checked so far). */
  progress?: { users: number; positions: number; discrepancies: number };
  /** Why a run was skipped. */
  reason?: string;
  /** Set on a dry run: nothing was recorded or alerted. */
  dryRun?: boolean;
  users: number;
  positions: number;
  checks: Record<CheckId, CheckTally>;
  sources: Partial<Record<SourceName, SourceHealth>>;
  /** How well the rate-limited venues' accounts are covered: checked this run, and overdue for the window after it. */
  venues?: { multimarkets?: VenueCoverage; indx?: VenueCoverage };
  /**
   * Who the run did not check, present when anyone: users any of whose reads failed (`count`, and the
   * first ids in `users`) and ranges of the listing (creation instants, inclusive) a failed listing call
   * left unread (`from` absent: from the listing's start).
   */
  unchecked?: { count: number; users: string[]; listing: { from?: string; to: string }[] };
  /** Shards the run was cut into (1: one invocation). */
  shards?: number;
  /** History rows read (transfers, orders, trades), users whose running totals were reused, and whether the totals were rebuilt. */
  history?: { rows: number; incrementalUsers: number; rebuild: boolean };
  /**
   * Information, not findings: per asset, the non-zero holdings of users whose roles are none of
   * Trader, User and Market Maker — the reporting document: "The balances are calculated only for
   * users with the following roles: Trader, User and Market Maker" — so outside its asset totals
   * (holders and Σ amount, over the users the run read).
   */
  outsideTotals?: Record<string, { users: number; amount: string }>;
  /**
   * The open and acknowledged breaks after the run, per severity and per check, valued in the root asset: what the
   * trends chart across runs. A dry run changes nothing: its `breaks` are those it found stored.
   */
  breaks?: BreakTotals;
  discrepancies: {
    total: number;
    opened: number;
    /** The opened (and reopened) by severity. */
    openedBySeverity?: Partial<Record<Severity, number>>;
    resolved?: number;
    escalated?: number;
    /**
     * Discrepancies this run left unwritten because another writer (an analyst, a late shard) changed
     * them again after the run re-read them: the next run finds them again.
     */
    skipped?: number;
    items: DiscrepancyRef[];
    truncated: boolean;
  };
}

/** At most this many discrepancies are listed in a summary; the store has them all. */
export const SUMMARY_ITEM_LIMIT = 500;
