import type { Discrepancy } from '../domain/discrepancy';
import type { DiscrepancyState } from '../domain/lifecycle';
import type { SourceName } from './upstream';
/** A source that failed during a run, for the source-health alert. */
export interface SourceProblem {
  source: SourceName;
  runId: string;
  failures: number;
  firstError: string;
  /** Unknown fields per endpoint, when the source's schema drifted. */
  drift: { endpoint: string; fields: string[] }[];
  /** The source's endpoints failing after this run (`*`: every endpoint, or one not named). */
  endpoints: string[];
}

/** A source whose every failing endpoint answered again. */
export interface SourceRecovery {
  source: SourceName;
  runId: string;
  failingSince: string;
  /** The endpoints that had been failing and have answered since (`*`: every endpoint, or one not named). */
  endpoints: string[];
}

/**
 * Where alerts go. Each message carries its `alertId` (the SNS message attribute `alertId`): a message
 * published again after an unknown outcome has the same id, so a subscriber can de-duplicate.
 * @throws {AlertNotPublishedError} when the message was refused (`rejected`) or its fate is not known (`unknown`).
 */
export interface AlertPublisher {
  discrepancyOpened(discrepancy: Discrepancy, alertId: string): Promise<void>;
  discrepancyEscalated(discrepancy: Discrepancy, previous: { severity: string; difference: string }, alertId: string): Promise<void>;
  discrepancyResolved(discrepancy: DiscrepancyState, alertId: string): Promise<void>;
  /** One message instead of many when a run opens more than the storm threshold. */
  discrepancyStorm(storm: { runId: string; count: number; largest: Discrepancy[] }, alertId: string): Promise<void>;
  sourceUnhealthy(problem: SourceProblem, alertId: string): Promise<void>;
  sourceRecovered(recovery: SourceRecovery, alertId: string): Promise<void>;
}

/** One owed alert as the outbox holds it: the alert, and whether an earlier publish of it may have gone out. */
export interface OwedRow extends IdentifiedAlert {
  /** A publish of it timed out or its drainer stopped mid-way: it may have reached subscribers already. */
  uncertain: boolean;
  /** Until when (epoch ms) a drainer holds it; absent when nobody does. */
  claimedUntil?: number;
}

/**
 * The alerts owed: recorded by the store in the writes that owe them (`DiscrepancyWrite.alert`,
 * `saveSourceState`), read, claimed, published and cleared by the drain (`lib/alerts/drain-outbox.ts`).
 */
export interface AlertOutbox {
  /** Every alert still owed (a consistent read). */
  owed(): Promise<OwedRow[]>;
  /** Claims a row until `until` unless another drainer holds it: false when it does, or the row is gone (published). */
  claim(row: OwedRow, holder: string, now: number, until: number): Promise<boolean>;
  /** Published: the row is deleted. */
  cleared(alertId: string): Promise<void>;
  /** Not published: the claim is given back; with `uncertain`, the row notes that it may have gone out. */
  release(alertId: string, holder: string, uncertain: boolean): Promise<void>;
  /**
   * Records that `storm` replaces these opened alerts of its run, then deletes them: the storm row is
   * written first, so a drain stopped half-way finds it and never publishes the others.
   */
  replaceByStorm(storm: IdentifiedAlert, replaced: readonly string[]): Promise<void>;
}

/**
 * An alert the product owes, as the outbox keeps it until it is published: what happened and
 * everything its message says, so publishing needs no other read.
 */
export type OwedAlert =
  | { type: 'discrepancy-opened'; discrepancy: Discrepancy }
  | { type: 'discrepancy-escalated'; discrepancy: Discrepancy; previous: { severity: string; difference: string } }
  | { type: 'discrepancy-resolved'; discrepancy: DiscrepancyState }
  | { type: 'discrepancy-storm'; runId: string; count: number; largest: Discrepancy[] }
  | { type: 'source-unhealthy'; problem: SourceProblem }
  | { type: 'source-recovered'; recovery: SourceRecovery };

/** An owed alert with the id that names it for ever: the outbox key and the `alertId` message attribute. */
export interface IdentifiedAlert {
  alertId: string;
  /** The run that owes it (storm control groups a run's opened alerts). */
  runId: string;
  alert: OwedAlert;
}
