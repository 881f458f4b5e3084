import { ReconError } from '../errors';
import type { Discrepancy } from './discrepancy';
import { Amount } from './money';
import type { Severity } from './severity';

/** Where a discrepancy stands: found, seen by a person, or gone. */
export type DiscrepancyStatus = 'open' | 'acknowledged' | 'resolved';

/** What happened to a discrepancy, as its history records it. */
export type LifecycleEventType =
  | 'opened'
  | 'changed'
  | 'escalated'
  | 'acknowledged'
  | 'assigned'
  | 'resolution-proposed'
  | 'resolution-rejected'
  | 'resolved'
  | 'reopened';

/** The lifecycle event types, in the order a discrepancy usually meets them (the store's schema reads them). */
export const LIFECYCLE_EVENT_TYPES = [
  'opened',
  'changed',
  'escalated',
  'acknowledged',
  'assigned',
  'resolution-proposed',
  'resolution-rejected',
  'resolved',
  'reopened',
] as const satisfies readonly LifecycleEventType[];

/** A manual resolution of a high or critical discrepancy waiting for a second person (maker-checker). */
export interface PendingResolution {
  by: string;
  at: string;
  note: string;
}

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
  /** The person who works it, and who assigned it when (`assign`). */
  assignedTo?: string;
  assignedBy?: string;
  assignedAt?: string;
  /** A resolution proposed by a first person, waiting for a second to approve or reject it (high and critical only). */
  pendingResolution?: PendingResolution;
  /**
   * Its history chain (lib/domain/history-chain.ts): the hash of its latest entry, how many entries the
   * chain has, and when the latest was written (so an expired row is told from a deleted one).
   * Absent on items written before the history was chained.
   */
  historyHead?: string;
  historyLength?: number;
  historyHeadAt?: string;
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
  /** `assigned`: to whom. */
  assignee?: string;
  /** `resolved` by an approval: who proposed the resolution. */
  proposedBy?: string;
  /** Its place in the discrepancy's history chain (1 = the opening), written by the store (lib/domain/history-chain.ts). */
  seq?: number;
  /** The hash of the entry before it ('' for the first), and when that entry was written. */
  prevHash?: string;
  prevAt?: string;
  /** sha256 of this entry's own fields, `prevHash` included. */
  hash?: string;
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

/** Thrown when the person who proposed a resolution tries to approve it too: maker-checker wants a second person (the API answers 403). */
export class SameCheckerError extends ReconError {
  override readonly name = 'SameCheckerError';
  constructor(
    readonly id: string,
    readonly by: string,
  ) {
    super(`a second person must approve the resolution of ${id}: ${by} proposed it and cannot also approve it`);
  }
}

/** The chain fields of a state (kept across a reopening: the history goes on). */
function chainOf(state: DiscrepancyState): Pick<DiscrepancyState, 'historyHead' | 'historyLength' | 'historyHeadAt'> {
  const { historyHead, historyLength, historyHeadAt } = state;
  return {
    ...(historyHead !== undefined && { historyHead }),
    ...(historyLength !== undefined && { historyLength }),
    ...(historyHeadAt !== undefined && { historyHeadAt }),
  };
}

/** The state without a pending proposal: a resolution or a reopening ends it. */
function withoutProposal(state: DiscrepancyState): DiscrepancyState {
  const { pendingResolution: _pending, ...rest } = state;
  return rest;
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
      ...(previous && chainOf(previous)),
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

/** A run checked the position and found it matching: the discrepancy is resolved by the system (a pending proposal with it). */
export function resolveByRun(previous: DiscrepancyState, runId: string, at: string): DiscrepancyState {
  return {
    ...withoutProposal(previous),
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

/** Whether resolving it by hand takes two people (maker-checker): high and critical discrepancies. */
export function needsSecondPerson(state: Pick<DiscrepancyState, 'severity'>): boolean {
  return RANK[state.severity] >= RANK.high;
}

/**
 * A person resolves a low or medium discrepancy, with a note (a later run that finds it again reopens it).
 * A high or critical one takes a proposal and a second person's approval ({@link proposeResolution}).
 *
 * @example
 * resolveManually(lowState, 'alice', 'fixed by ops', at).status // 'resolved'
 */
export function resolveManually(previous: DiscrepancyState, by: string, note: string, at: string): DiscrepancyState {
  if (previous.status === 'resolved') throw new InvalidTransitionError(previous.id, previous.status, 'resolved');
  if (needsSecondPerson(previous))
    throw new InvalidTransitionError(
      previous.id,
      previous.status,
      `resolved by one person (${previous.severity}: propose, then a second person approves)`,
    );
  return resolved(previous, by, note, at);
}

/** The state resolved by a person. */
function resolved(previous: DiscrepancyState, by: string, note: string, at: string): DiscrepancyState {
  return {
    ...withoutProposal(previous),
    status: 'resolved',
    resolvedBy: by,
    resolvedAt: at,
    resolvedNote: note,
    consecutiveRuns: 0,
    version: previous.version + 1,
  };
}

/**
 * A first person proposes to resolve a high or critical discrepancy: recorded as pending, its status
 * unchanged, until a second person approves or rejects it.
 *
 * @example
 * proposeResolution(criticalState, 'alice', 'ops fixed the ledger', at).pendingResolution // { by: 'alice', at, note: 'ops fixed the ledger' }
 */
export function proposeResolution(previous: DiscrepancyState, by: string, note: string, at: string): DiscrepancyState {
  if (previous.status === 'resolved') throw new InvalidTransitionError(previous.id, previous.status, 'proposed for resolution');
  if (previous.pendingResolution)
    throw new InvalidTransitionError(previous.id, previous.status, `proposed again (${previous.pendingResolution.by} proposed it already)`);
  return { ...previous, pendingResolution: { by, at, note }, version: previous.version + 1 };
}

/**
 * A second person approves the pending resolution: resolved, by them.
 * @throws {SameCheckerError} when `by` proposed it. @throws {InvalidTransitionError} when nothing is pending.
 *
 * @example
 * approveResolution(proposedByAlice, 'bob', 'checked the ledger', at).status // 'resolved'
 */
export function approveResolution(previous: DiscrepancyState, by: string, note: string, at: string): DiscrepancyState {
  const pending = previous.pendingResolution;
  if (!pending) throw new InvalidTransitionError(previous.id, previous.status, 'approved (no resolution is pending)');
  if (pending.by === by) throw new SameCheckerError(previous.id, by);
  return resolved(previous, by, note, at);
}

/**
 * A person rejects the pending resolution (its proposer may withdraw it): the proposal is cleared, the status
 * unchanged; their note is in the history.
 * @throws {InvalidTransitionError} when nothing is pending.
 */
export function rejectResolution(previous: DiscrepancyState): DiscrepancyState {
  if (!previous.pendingResolution) throw new InvalidTransitionError(previous.id, previous.status, 'rejected (no resolution is pending)');
  return { ...withoutProposal(previous), version: previous.version + 1 };
}

/**
 * A person assigns it to someone (themselves included); their note is in the history. A resolved one is not assigned.
 *
 * @example
 * assign(state, 'alice', 'bob', at).assignedTo // 'bob'
 */
export function assign(previous: DiscrepancyState, by: string, assignee: string, at: string): DiscrepancyState {
  if (previous.status === 'resolved') throw new InvalidTransitionError(previous.id, previous.status, 'assigned');
  return { ...previous, assignedTo: assignee, assignedBy: by, assignedAt: at, version: previous.version + 1 };
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
 * Whether a person acted on it — resolved, acknowledged, assigned it or proposed its resolution — at or
 * after `since` (a run's start): that run's resolution would override what the person saw later than the
 * run's figures, so the run leaves it as the person left it; the next run, started after the action,
 * resolves it if it matches (a pending proposal with it).
 *
 * @example
 * personActedSince({ ...state, status: 'acknowledged', acknowledgedAt: '2026-11-23T00:05:00.000Z' }, '2026-11-23T00:00:00.000Z') // true
 */
export function personActedSince(state: DiscrepancyState, since: string): boolean {
  if (state.status === 'resolved') return resolvedByPersonSince(state, since);
  const acted = [state.status === 'acknowledged' ? state.acknowledgedAt : undefined, state.assignedAt, state.pendingResolution?.at];
  return acted.some((at) => atOrAfter(at, since));
}

/** What a person asks for on a discrepancy (`POST /discrepancies/{id}/{action}`): each with a note, `assign` with an assignee. */
export type PersonRequest = { by: string; note: string; at: string } & (
  | { action: 'acknowledge' | 'resolve' | 'approve' | 'reject' }
  | { action: 'assign'; assignee: string }
);

/**
 * The state a person's request leaves and the history entry that records it. `resolve` on a high or
 * critical discrepancy proposes the resolution (maker-checker); on a low or medium one it resolves it.
 * @throws {InvalidTransitionError} when the status (or the proposal) does not allow it; {@link SameCheckerError} when the proposer approves.
 *
 * @example
 * actAsPerson(criticalState, { action: 'resolve', by: 'alice', note: 'fixed', at }).event.type // 'resolution-proposed'
 */
export function actAsPerson(previous: DiscrepancyState, request: PersonRequest): { next: DiscrepancyState; event: LifecycleEvent } {
  const { by, note, at } = request;
  const entry = (type: LifecycleEventType, extra: Partial<LifecycleEvent> = {}): LifecycleEvent => ({
    discrepancyId: previous.id,
    type,
    at,
    by,
    note,
    ...extra,
  });
  switch (request.action) {
    case 'acknowledge':
      return { next: acknowledge(previous, by, note, at), event: entry('acknowledged') };
    case 'assign':
      return { next: assign(previous, by, request.assignee, at), event: entry('assigned', { assignee: request.assignee }) };
    case 'resolve':
      return needsSecondPerson(previous)
        ? { next: proposeResolution(previous, by, note, at), event: entry('resolution-proposed') }
        : { next: resolveManually(previous, by, note, at), event: entry('resolved') };
    case 'approve': {
      const next = approveResolution(previous, by, note, at);
      return { next, event: entry('resolved', { proposedBy: previous.pendingResolution?.by }) };
    }
    case 'reject':
      return { next: rejectResolution(previous), event: entry('resolution-rejected') };
  }
}

/** `at` (an ISO time, when known) is `since` or later. */
function atOrAfter(at: string | undefined, since: string): boolean {
  return at !== undefined && Date.parse(at) >= Date.parse(since);
}

/** Whether its "opened" alert is due: not sent yet, still open, found in enough runs in a row. */
export function openedAlertDue(state: DiscrepancyState, persistence: number): boolean {
  return !state.alerted && state.status !== 'resolved' && state.consecutiveRuns >= persistence;
}
