import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { chainedOpening } from '../domain/history-chain';
import { type DiscrepancyState, type LifecycleEvent, openedEvent } from '../domain/lifecycle';
import { queryAll } from './batch';
import { parseHistoryRow } from './discrepancy-items';

/*
 * A discrepancy's history read, apart from the writes (dynamodb-discrepancies.ts): the history check
 * (`GET /history/verify`, dynamodb-history-audit.ts) bundles it and nothing that writes, so its role reads only.
 */

/**
 * A discrepancy's history in the order it was written: its opening (kept on the item; with its place and hash in
 * the chain when the item is chained), then the rows of every later change.
 */
export async function readHistory(client: DynamoDBDocumentClient, table: string, discrepancy: DiscrepancyState): Promise<LifecycleEvent[]> {
  const opened = discrepancy.historyHead === undefined ? openedEvent(discrepancy) : chainedOpening(discrepancy);
  const rows = await queryAll(
    client,
    { TableName: table, KeyConditionExpression: 'discrepancyId = :id', ExpressionAttributeValues: { ':id': discrepancy.id } },
    parseHistoryRow,
  );
  return opened ? [opened, ...rows] : rows;
}
