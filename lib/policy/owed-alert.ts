import { createHash } from 'node:crypto';
import type { DiscrepancyState } from '../domain/lifecycle';
import type { IdentifiedAlert, OwedAlert } from '../ports/alerts';
import type { SourceName } from '../ports/upstream';

/**
 * The alert a discrepancy's write owes, identified by the discrepancy, the event and the version
 * the write stores (`amount-split:u1:btc#opened#1`): the same write always owes the same id, so a
 * redelivered run or a re-published message is recognised by subscribers.
 */
export function discrepancyAlert(
  state: DiscrepancyState,
  runId: string,
  alert: Extract<OwedAlert, { discrepancy: unknown }>,
): IdentifiedAlert {
  const event = alert.type.replace('discrepancy-', '');
  return { alertId: `${state.id}#${event}#${state.version}`, runId, alert };
}

/** A source-health alert of one run, one per source and kind (`source#reporting#unhealthy#r-1`). */
export function sourceAlert(source: SourceName, runId: string, alert: Extract<OwedAlert, { type: `source-${string}` }>): IdentifiedAlert {
  const kind = alert.type === 'source-recovered' ? 'recovered' : alert.problem.failures > 0 ? 'unhealthy' : 'drifted';
  return { alertId: `source#${source}#${kind}#${runId}`, runId, alert };
}

/** The one summary that replaces a run's opened alerts above the storm threshold (`storm#r-1`). */
export function stormAlertId(runId: string): string {
  return `storm#${runId}`;
}

/**
 * What an alert is about (a discrepancy, a source, a run's storm): the SNS FIFO message group, so
 * one discrepancy's opened, escalated and resolved messages arrive in order while different
 * discrepancies are not held behind one another.
 */
export function alertSubject(alert: OwedAlert): string {
  if ('discrepancy' in alert) return alert.discrepancy.id;
  if (alert.type === 'discrepancy-storm') return stormAlertId(alert.runId);
  return `source#${alert.type === 'source-unhealthy' ? alert.problem.source : alert.recovery.source}`;
}

/** SNS FIFO ids are at most 128 characters: a longer one is replaced by its SHA-256 (64 hex characters), the same for the same id. */
export function fifoId(id: string): string {
  return id.length <= 128 ? id : createHash('sha256').update(id).digest('hex');
}
