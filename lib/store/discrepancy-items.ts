import { z } from 'zod';
import { discrepancyStateSchema, lifecycleEventSchema } from '../api/schemas';
import { type DiscrepancyState, LIFECYCLE_EVENT_TYPES, type LifecycleEvent } from '../domain/lifecycle';
import type { Severity } from '../domain/severity';
import { decodeCursor as decodeKey } from './page-cursor';
import { discrepancyRefObject, severitySchema } from './run-item-schemas';
import { parseStored } from './stored-item';

/*
 * The items of the discrepancies table and the rows of the history table (docs/data-model.md): how they are
 * written, keyed and read back.
 */

/** Severities in the order the indexes list them: most severe first. */
export const SEVERITY_ORDER: Record<Severity, string> = { critical: '0', high: '1', medium: '2', low: '3' };

/**
 * A stored discrepancy: the API's shape (lib/api/schemas.ts, one schema for both), stricter where the store
 * knows more (a known check, a severity) and with what only the store keeps (the opened figures, the alert's run).
 * Loose, so an attribute this version does not know is kept as it was read.
 */
const discrepancySchema: z.ZodType<DiscrepancyState & { statusOrder?: unknown }> = discrepancyStateSchema.extend({
  check: discrepancyRefObject.shape.check,
  openedDifference: z.string().optional(),
  openedSeverity: severitySchema.optional(),
  alertedRunId: z.string().optional(),
});

/** A history row: the API's entry with a known type, and the attributes that exist only for the table (its sort key, its expiry). */
const historyRowSchema: z.ZodType<LifecycleEvent & { eventKey?: unknown; expiresAt?: unknown }> = lifecycleEventSchema.extend({
  type: z.enum(LIFECYCLE_EVENT_TYPES),
});

/**
 * `status#severity#lastSeenAt`: the sort key of every index, so each lists a status's items most
 * severe first, then most recent.
 */
export function statusOrder(state: Pick<DiscrepancyState, 'status' | 'severity' | 'lastSeenAt'>): string {
  return `${state.status}#${SEVERITY_ORDER[state.severity]}#${state.lastSeenAt}`;
}

/** A stored discrepancy as the domain knows it: checked, without the attributes that exist only for the indexes. */
export function parseDiscrepancy(item: Record<string, unknown>): DiscrepancyState {
  const { statusOrder: _order, ...state } = parseStored(discrepancySchema, 'discrepancy', String(item.id), item);
  return state;
}

/** A history row as the event it records. */
export function parseHistoryRow(item: Record<string, unknown>): LifecycleEvent {
  const { eventKey: _key, expiresAt: _expiry, ...event } = parseStored(historyRowSchema, 'history row', String(item.eventKey), item);
  return event;
}

/** A discrepancy's write, on condition that its stored version is `expectedVersion` (that it is new when undefined). */
export function discrepancyPut(table: string, next: DiscrepancyState, expectedVersion: number | undefined) {
  return {
    TableName: table,
    Item: { ...next, statusOrder: statusOrder(next) },
    ConditionExpression: expectedVersion === undefined ? 'attribute_not_exists(id)' : 'version = :version',
    ...(expectedVersion === undefined ? {} : { ExpressionAttributeValues: { ':version': expectedVersion } }),
  };
}

/**
 * A history row, keyed `at#type#runId-or-person`: `at` is when the change was written (a run's
 * clock at its write, an analyst's at their action), so a discrepancy's rows sort in the order
 * they were written. Rows written before runs kept that time carry their run's start instead.
 */
export function historyItem(event: LifecycleEvent, retentionDays: number): Record<string, unknown> {
  const expiresAt = Math.floor(Date.parse(event.at) / 1000) + retentionDays * 86_400;
  return { ...event, eventKey: `${event.at}#${event.type}#${event.runId ?? event.by ?? ''}`, expiresAt };
}

/** A page cursor: DynamoDB's start key, as an opaque string (lib/store/page-cursor.ts, shared with the run list). */
export { encodeCursor } from './page-cursor';

/** A page cursor of the discrepancy list back into DynamoDB's start key; anything that is not one is the caller's mistake. */
export function decodeCursor(cursor: string): Record<string, unknown> {
  return decodeKey(cursor, ['id']);
}
