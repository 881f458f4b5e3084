import { type DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import type { QueuedRunLookup } from '../ports/run-queue';
import type { RunSummary } from '../ports/run-summary';
import { parseRun, runKey } from './runs-table';

/**
 * The read side of the run registry: a run's record by its id (`GET /runs/{id}`, the direct trigger's
 * look-up of a queued run). Apart from {@link DynamoDbRunRegistry} so the functions that only read runs
 * bundle, and are granted, no write of the runs table.
 */
export class DynamoDbRunReader implements QueuedRunLookup {
  constructor(
    protected readonly client: DynamoDBDocumentClient,
    protected readonly table: string,
  ) {}

  async getRun(runId: string): Promise<RunSummary | undefined> {
    const { Item } = await this.client.send(new GetCommand({ TableName: this.table, Key: runKey(runId), ConsistentRead: true }));
    return Item ? parseRun(Item, runId) : undefined;
  }
}
