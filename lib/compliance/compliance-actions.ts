import { actAsPerson, type DiscrepancyState, type LifecycleEvent, type PersonRequest } from '../domain/lifecycle';
import { BadRequestError, ReconError } from '../errors';
import type { CompliancePort, DiscrepancyFilter } from '../ports/compliance';
import type { RunSummary } from '../ports/run-summary';

/** Thrown when a run or discrepancy id names nothing: the API answers 404. */
export class NotFoundError extends ReconError {
  override readonly name = 'NotFoundError';
  constructor(
    readonly kind: 'run' | 'discrepancy',
    readonly id: string,
  ) {
    super(`no ${kind} with id ${id}`);
  }
}

/** A run's summary. @throws {NotFoundError} */
export async function showRun(port: CompliancePort, runId: string): Promise<RunSummary> {
  const run = await port.getRun(runId);
  if (!run) throw new NotFoundError('run', runId);
  return run;
}

/** A page of discrepancies matching the filter (open ones when no status is given and nothing narrower is). */
export function listDiscrepancies(port: CompliancePort, filter: DiscrepancyFilter, page: { limit: number; cursor?: string }) {
  return port.list(filter, page);
}

/** A discrepancy with its latest evidence and its whole history. @throws {NotFoundError} */
export async function showDiscrepancy(
  port: CompliancePort,
  id: string,
): Promise<{ discrepancy: DiscrepancyState; history: LifecycleEvent[] }> {
  const discrepancy = await port.get(id);
  if (!discrepancy) throw new NotFoundError('discrepancy', id);
  return { discrepancy, history: await port.history(discrepancy) };
}

/** What a person may do to a discrepancy (`POST /discrepancies/{id}/{action}`). */
export type DiscrepancyAction = PersonRequest['action'];

/**
 * A person acts on a discrepancy — acknowledges, assigns (to `assignee`), resolves (or proposes to: high
 * and critical take a second person), approves or rejects a proposal — with a note; who and when are
 * recorded in the item and its history, in one write conditional on the version read.
 * @throws {NotFoundError} for an unknown id; {@link import('../domain/lifecycle').InvalidTransitionError} when the status does not allow it;
 * {@link import('../domain/lifecycle').SameCheckerError} when the proposer approves; {@link BadRequestError} for `assign` without an assignee.
 */
export async function actOnDiscrepancy(
  port: CompliancePort,
  action: DiscrepancyAction,
  id: string,
  by: string,
  note: string,
  at: Date,
  assignee?: string,
): Promise<DiscrepancyState> {
  const current = await port.get(id);
  if (!current) throw new NotFoundError('discrepancy', id);
  const when = at.toISOString();
  const request: PersonRequest =
    action === 'assign' ? { action, assignee: assigneeOf(assignee), by, note, at: when } : { action, by, note, at: when };
  const { next, event } = actAsPerson(current, request);
  await port.save(next, event, current.version);
  return next;
}

/** `assign` names whom to. */
function assigneeOf(assignee: string | undefined): string {
  if (assignee === undefined) throw new BadRequestError(['body.assignee: an assignee is required to assign']);
  return assignee;
}
