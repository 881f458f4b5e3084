import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import { BreakTally, type BreakTotals } from '../domain/break-totals';
import type { DiscrepancyStatus } from '../domain/lifecycle';
import type { BreakTotalsReader } from '../ports/break-totals';
import type { DiscrepancyFilter } from '../ports/compliance';
import { queryPages } from './batch';
import { SEVERITY_ORDER } from './discrepancy-items';
import { severitySchema } from './run-item-schemas';
import { parseStored } from './stored-item';

/** What a break adds to the totals: all the Query projects of each item. */
const figuresSchema = z.looseObject({
  id: z.string(),
  severity: severitySchema,
  check: z.string(),
  differenceInRoot: z.string().optional(),
});

/** The statuses counted when the filter names none: the breaks still to work. */
const WORKING: readonly DiscrepancyStatus[] = ['open', 'acknowledged'];

/**
 * The totals of the discrepancies a filter selects (`GET /discrepancies/totals`), by the discrepancies table's
 * `by-status` index: one Query per status (the severity as its sort key's prefix, check, asset and user as a
 * filter), projecting only what the totals add up, read page after page and added up as they come.
 */
export class DynamoDbBreakTotals implements BreakTotalsReader {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly table: string,
    private readonly rootAsset: string,
  ) {}

  async totals(filter: DiscrepancyFilter): Promise<BreakTotals> {
    const tally = new BreakTally(this.rootAsset);
    for (const status of filter.status ? [filter.status] : WORKING) {
      const { names, values, conditions } = filterOf(filter);
      const prefix = filter.severity ? `${status}#${SEVERITY_ORDER[filter.severity]}#` : `${status}#`;
      const pages = queryPages(this.client, {
        TableName: this.table,
        IndexName: 'by-status',
        KeyConditionExpression: '#status = :status AND begins_with(statusOrder, :prefix)',
        ProjectionExpression: 'id, #severity, #check, differenceInRoot',
        ...(conditions.length > 0 && { FilterExpression: conditions.join(' AND ') }),
        ExpressionAttributeNames: { ...names, '#status': 'status', '#severity': 'severity', '#check': 'check' },
        ExpressionAttributeValues: { ...values, ':status': status, ':prefix': prefix },
      });
      for await (const page of pages) {
        for (const item of page.Items ?? []) tally.add(parseStored(figuresSchema, 'discrepancy', String(item.id), item));
      }
    }
    return tally.totals();
  }
}

/** The check, asset and user of a filter as a Query's filter expression (the status and severity are in its key). */
function filterOf(filter: DiscrepancyFilter) {
  const names: Record<string, string> = {};
  const values: Record<string, string> = {};
  const conditions: string[] = [];
  for (const [field, name] of [
    ['check', 'check'],
    ['asset', 'asset'],
    ['userId', 'user'],
  ] as const) {
    const wanted = filter[field];
    if (wanted === undefined) continue;
    conditions.push(`#${field} = :${name}`);
    names[`#${field}`] = field;
    values[`:${name}`] = wanted;
  }
  return { names, values, conditions };
}
