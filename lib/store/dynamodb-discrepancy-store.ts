import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Discrepancy } from '../domain/discrepancy';
import type { DiscrepancyStore, RecordOutcome } from '../runs/ports';
import type { RunSummary } from '../runs/run-summary';

/** Table names of the store. */
export interface StoreTables {
  discrepancies: string;
  runs: string;
}

/**
 * Keeps discrepancies and runs in DynamoDB. A discrepancy is one item per user × asset × check
 * (its stable id): the first record creates it `open` (the caller alerts), later runs update its
 * latest figures and `lastSeenAt`. All money is stored as exact decimal strings.
 */
export class DynamoDbDiscrepancyStore implements DiscrepancyStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tables: StoreTables,
  ) {}

  async record(discrepancy: Discrepancy): Promise<RecordOutcome> {
    const { runId, detectedAt, ...rest } = discrepancy;
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tables.discrepancies,
          Item: {
            ...rest,
            status: 'open',
            firstSeenAt: detectedAt,
            lastSeenAt: detectedAt,
            firstRunId: runId,
            lastRunId: runId,
            runsSeen: 1,
          },
          ConditionExpression: 'attribute_not_exists(id)',
        }),
      );
      return 'opened';
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
    await this.seenAgain(discrepancy);
    return 'seen-again';
  }

  async saveRun(summary: RunSummary): Promise<void> {
    await this.client.send(new PutCommand({ TableName: this.tables.runs, Item: summary }));
  }

  /** Updates the latest figures; a repeated delivery of the same run changes nothing. */
  private async seenAgain(discrepancy: Discrepancy): Promise<void> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tables.discrepancies,
          Key: { id: discrepancy.id },
          UpdateExpression:
            'SET expected = :expected, actual = :actual, difference = :difference, evidence = :evidence, lastSeenAt = :at, lastRunId = :runId ADD runsSeen :one',
          ConditionExpression: 'lastRunId <> :runId',
          ExpressionAttributeValues: {
            ':expected': discrepancy.expected,
            ':actual': discrepancy.actual,
            ':difference': discrepancy.difference,
            ':evidence': discrepancy.evidence,
            ':at': discrepancy.detectedAt,
            ':runId': discrepancy.runId,
            ':one': 1,
          },
        }),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }
}
