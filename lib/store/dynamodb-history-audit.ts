import { type DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { DiscrepancyState, LifecycleEvent } from '../domain/lifecycle';
import type { HistoryAuditPort } from '../ports/compliance';
import { decodeCursor, encodeCursor, parseDiscrepancy } from './discrepancy-items';
import { readHistory } from './dynamodb-history-reads';

/** Every discrepancy (a page of the table at a time) and each one's history: what the history check reads. */
export class DynamoDbHistoryAudit implements HistoryAuditPort {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tables: { discrepancies: string; history: string },
  ) {}

  /** A page of every discrepancy, in the table's order; `cursor` is where the last page ended. */
  async scan(page: { limit: number; cursor?: string }): Promise<{ items: DiscrepancyState[]; cursor?: string }> {
    const start = page.cursor ? decodeCursor(page.cursor) : undefined;
    const answer = await this.client.send(
      new ScanCommand({ TableName: this.tables.discrepancies, Limit: page.limit, ConsistentRead: true, ExclusiveStartKey: start }),
    );
    const next = answer.LastEvaluatedKey;
    return { items: (answer.Items ?? []).map(parseDiscrepancy), ...(next ? { cursor: encodeCursor(next) } : {}) };
  }

  history(discrepancy: DiscrepancyState): Promise<LifecycleEvent[]> {
    return readHistory(this.client, this.tables.history, discrepancy);
  }
}
