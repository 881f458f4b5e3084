import { z } from 'zod';
import { type DiscrepancyState, LIFECYCLE_EVENT_TYPES, type LifecycleEvent } from '../domain/lifecycle';
import type { Severity } from '../domain/severity';
import { BadRequestError } from '../errors';
import { discrepancyRefObject, severitySchema } from './run-item-schemas';
import { parseStored } from './stored-item';

/*
 * The items of the discrepancies table and the rows of the history table (docs/data-model.md): how they are
 * written, keyed and read back.
 */

/** Severities in the order the indexes list them: most severe first. */
export const SEVERITY_ORDER: Record<Severity, string> = { critical: '0', high: '1', medium: '2', low: '3' };

/** A stored discrepancy; loose, so an attribute this version does not know is kept as it was read. */
const discrepancySchema: z.ZodType<DiscrepancyState & { statusOrder?: unknown }> = discrepancyRefObject.extend({
  evidence: z.record(z.string(), z.string()),
  differenceInRoot: z.string().optional(),
  severity: severitySchema,
  runId: z.string(),
  detectedAt: z.string(),
  status: z.enum(['open', 'acknowledged', 'resolved']),
  firstSeenAt: z.string(),
  lastSeenAt: z.string(),
  firstRunId: z.string(),
  lastRunId: z.string(),
  runsSeen: z.number(),
  consecutiveRuns: z.number(),
  largestDifference: z.string(),
  openedDifference: z.string().optional(),
  openedSeverity: severitySchema.optional(),
  alerted: z.boolean(),
  alertedRunId: z.string().optional(),
  acknowledgedBy: z.string().optional(),
  acknowledgedAt: z.string().optional(),
  acknowledgedNote: z.string().optional(),
  resolvedBy: z.string().optional(),
  resolvedAt: z.string().optional(),
  resolvedNote: z.string().optional(),
  version: z.number(),
});

/** A history row: the event, with the attributes that exist only for the table (its sort key, its expiry). */
const historyRowSchema: z.ZodType<LifecycleEvent & { eventKey?: unknown; expiresAt?: unknown }> = z.looseObject({
  discrepancyId: z.string(),
  type: z.enum(LIFECYCLE_EVENT_TYPES),
  at: z.string(),
  runId: z.string().optional(),
  by: z.string().optional(),
  note: z.string().optional(),
  difference: z.string().optional(),
  severity: severitySchema.optional(),
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

/** An "opened" event the item itself records (`openedDifference`): no history row is written for it. */
export function recordedOnItem(state: DiscrepancyState, event: LifecycleEvent): boolean {
  return event.type === 'opened' && state.openedDifference !== undefined;
}

const cursorSchema = z.looseObject({ id: z.string() });

/** A page cursor: DynamoDB's start key, as an opaque string. */
export function encodeCursor(key: Record<string, unknown>): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

/** A page cursor back into DynamoDB's start key; anything that is not one is the caller's mistake. */
export function decodeCursor(cursor: string): Record<string, unknown> {
  try {
    const key = cursorSchema.safeParse(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')));
    if (key.success) return key.data;
  } catch {
    // falls through to the error below
  }
  throw new BadRequestError(['query.cursor: not a cursor from a previous page']);
}
