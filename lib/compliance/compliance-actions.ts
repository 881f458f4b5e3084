import { acknowledge, type DiscrepancyState, type LifecycleEvent, resolveManually } from '../domain/lifecycle';
import { ReconError } from '../errors';
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

/**
 * A person acknowledges or resolves a discrepancy, with a note; who and when are recorded in the
 * item and its history.
 * @throws {NotFoundError} for an unknown id; {@link import('../domain/lifecycle').InvalidTransitionError} when the status does not allow it.
 */
export async function actOnDiscrepancy(
  port: CompliancePort,
  action: 'acknowledge' | 'resolve',
  id: string,
  by: string,
  note: string,
  at: Date,
): Promise<DiscrepancyState> {
  const current = await port.get(id);
  if (!current) throw new NotFoundError('discrepancy', id);
  const when = at.toISOString();
  const next = action === 'acknowledge' ? acknowledge(current, by, note, when) : resolveManually(current, by, note, when);
  await port.save(
    next,
    { discrepancyId: id, type: action === 'acknowledge' ? 'acknowledged' : 'resolved', at: when, by, note },
    current.version,
  );
  return next;
}
