import { ReconError } from '../errors';
import type { Discrepancy } from './discrepancy';
import { Amount } from './money';
import type { Severity } from './severity';

/** Where a discrepancy stands: found, seen by a person, or gone. */
export type DiscrepancyStatus = 'open' | 'acknowledged' | 'resolved';

/** What happened to a discrepancy, as its history records it. */
export type LifecycleEventType = 'opened' | 'changed' | 'escalated' | 'acknowledged' | 'resolved' | 'reopened';

/** A discrepancy with its lifecycle: one item per user × asset × check, across runs. */
export interface DiscrepancyState extends Discrepancy {
  status: DiscrepancyStatus;
  firstSeenAt: string;
  lastSeenAt: string;
  firstRunId: string;
  lastRunId: string;
  runsSeen: number;
  /** Runs in a row that found it since it was (re)opened: the alert waits for `ALERT_AFTER_RUNS` of them. */
  consecutiveRuns: number;
  /** The largest |difference| seen since it was (re)opened. */
  largestDifference: string;
  /**
   * The difference and severity it was first opened with: its "opened" history entry is this item
   * (with `firstSeenAt`, `firstRunId`), not a row of its own. Absent on items opened before this
   * was kept, whose history has the row.
   */
  openedDifference?: string;
  openedSeverity?: Severity;
  /** Whether its "opened" alert is owed (recorded in the outbox by the write that set this) or went out. */
  alerted: boolean;
  /** The run whose write owed its opened alert. */
  alertedRunId?: string;
  acknowledgedBy?: string;
  acknowledgedAt?: string;
  acknowledgedNote?: string;
  resolvedBy?: string;
  resolvedAt?: string;
  resolvedNote?: string;
  /** Bumped on every write: the store's optimistic lock. */
  version: number;
}

/** One entry of a discrepancy's history. */
export interface LifecycleEvent {
  discrepancyId: string;
  type: LifecycleEventType;
  at: string;
  runId?: string;
  by?: string;
  note?: string;
  difference?: string;
  severity?: Severity;
}

/** The "opened" entry a discrepancy carries on itself (see `openedDifference`), if it does. */
export function openedEvent(state: DiscrepancyState): LifecycleEvent | undefined {
  if (state.openedDifference === undefined) return undefined;
  return {
    discrepancyId: state.id,
    type: 'opened',
    at: state.firstSeenAt,
    runId: state.firstRunId,
    by: 'system',
    difference: state.openedDifference,
    severity: state.openedSeverity,
  };
}

/** Thrown when a person asks for a transition the discrepancy's status does not allow (e.g. acknowledging a resolved one). */
export class InvalidTransitionError extends ReconError {
  override readonly name = 'InvalidTransitionError';
  constructor(
    readonly id: string,
    readonly from: DiscrepancyStatus,
    readonly action: string,
  ) {
    super(`discrepancy ${id} is ${from}: it cannot be ${action}`);
  }
}

const RANK: Record<Severity, number> = { low: 0, medium: 1, high: 2, critical: 3 };

/**
 * What a run finding `found` does to its discrepancy: opens it (first time), reopens it (it was
 * resolved), escalates it (severity rose), changes it (figures moved) or leaves it unchanged. The
 * same run delivered twice is a `duplicate` and changes nothing.
 *
 * @example
 * observe(undefined, found).event // 'opened'
 */
export function observe(
  previous: DiscrepancyState | undefined,
  found: Discrepancy,
): { next: DiscrepancyState; event: LifecycleEventType | 'unchanged' } | 'duplicate' {
  if (previous && previous.lastRunId === found.runId) return 'duplicate';
  const size = Amount.parse(found.difference).abs();
  if (!previous || previous.status === 'resolved') {
    const fresh: DiscrepancyState = {
      ...found,
      status: 'open',
      firstSeenAt: previous?.firstSeenAt ?? found.detectedAt,
      lastSeenAt: found.detectedAt,
      firstRunId: previous?.firstRunId ?? found.runId,
      lastRunId: found.runId,
      runsSeen: (previous?.runsSeen ?? 0) + 1,
      consecutiveRuns: 1,
      largestDifference: size.toString(),
      alerted: false,
      version: (previous?.version ?? 0) + 1,
      ...(previous
        ? { openedDifference: previous.openedDifference, openedSeverity: previous.openedSeverity }
        : { openedDifference: found.difference, openedSeverity: found.severity }),
    };
    return { next: fresh, event: previous ? 'reopened' : 'opened' };
  }
  const largest = Amount.parse(previous.largestDifference);
  const next: DiscrepancyState = {
    ...previous,
    ...found,
    status: previous.status,
    lastSeenAt: found.detectedAt,
    lastRunId: found.runId,
    runsSeen: previous.runsSeen + 1,
    consecutiveRuns: previous.consecutiveRuns + 1,
    largestDifference: (size.compare(largest) > 0 ? size : largest).toString(),
    version: previous.version + 1,
  };
  if (RANK[found.severity] > RANK[previous.severity]) return { next, event: 'escalated' };
  return { next, event: found.difference === previous.difference ? 'unchanged' : 'changed' };
}

/** A run checked the position and found it matching: the discrepancy is resolved by the system. */
export function resolveByRun(previous: DiscrepancyState, runId: string, at: string): DiscrepancyState {
  return {
    ...previous,
    status: 'resolved',
    resolvedBy: 'system',
    resolvedAt: at,
    resolvedNote: `matched in run ${runId}`,
    consecutiveRuns: 0,
    version: previous.version + 1,
  };
}

/** A person has seen it and says so, with a note. */
export function acknowledge(previous: DiscrepancyState, by: string, note: string, at: string): DiscrepancyState {
  if (previous.status !== 'open') throw new InvalidTransitionError(previous.id, previous.status, 'acknowledged');
  return {
    ...previous,
    status: 'acknowledged',
    acknowledgedBy: by,
    acknowledgedAt: at,
    acknowledgedNote: note,
    version: previous.version + 1,
  };
}

/** A person resolves it, with a note (a later run that finds it again reopens it). */
export function resolveManually(previous: DiscrepancyState, by: string, note: string, at: string): DiscrepancyState {
  if (previous.status === 'resolved') throw new InvalidTransitionError(previous.id, previous.status, 'resolved');
  return {
    ...previous,
    status: 'resolved',
    resolvedBy: by,
    resolvedAt: at,
    resolvedNote: note,
    consecutiveRuns: 0,
    version: previous.version + 1,
  };
}

/**
 * Whether a person resolved it at or after `since` (a run's start, which its findings carry as
 * `detectedAt`): that run read its figures before the person acted, so its finding leaves it resolved
 * (no write, no alert); the next run, started after the resolution, reopens it if it is still wrong.
 * A run's own resolution (`resolvedBy: 'system'`) is not a person's.
 *
 * @example
 * resolvedByPersonSince({ ...state, status: 'resolved', resolvedBy: 'alice', resolvedAt: '2026-11-23T00:05:00.000Z' }, '2026-11-23T00:00:00.000Z') // true
 */
export function resolvedByPersonSince(state: DiscrepancyState, since: string): boolean {
  return state.status === 'resolved' && state.resolvedBy !== 'system' && atOrAfter(state.resolvedAt, since);
}

/**
 * Whether a person acted on it — resolved or acknowledged it — at or after `since` (a run's start):
 * that run's resolution would override what the person saw later than the run's figures, so the run
 * leaves it as the person left it; the next run, started after the action, resolves it if it matches.
 *
 * @example
 * personActedSince({ ...state, status: 'acknowledged', acknowledgedAt: '2026-11-23T00:05:00.000Z' }, '2026-11-23T00:00:00.000Z') // true
 */
export function personActedSince(state: DiscrepancyState, since: string): boolean {
  if (state.status === 'acknowledged') return atOrAfter(state.acknowledgedAt, since);
  return resolvedByPersonSince(state, since);
}

/** `at` (an ISO time, when known) is `since` or later. */
function atOrAfter(at: string | undefined, since: string): boolean {
  return at !== undefined && Date.parse(at) >= Date.parse(since);
}

/** Whether its "opened" alert is due: not sent yet, still open, found in enough runs in a row. */
export function openedAlertDue(state: DiscrepancyState, persistence: number): boolean {
  return !state.alerted && state.status !== 'resolved' && state.consecutiveRuns >= persistence;
}
