import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, type DynamoDBDocumentClient, PutCommand, ScanCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import type { AlertOutbox, IdentifiedAlert, OwedAlert, OwedRow } from '../ports/alerts';
import { backoff, refusedForNow } from './batch';

/** Calls of one clearing delete while DynamoDB refuses it for now (about 0.7 s of pauses in all). */
const CLEAR_ATTEMPTS = 4;

const ALERT_TYPES = [
  'discrepancy-opened',
  'discrepancy-escalated',
  'discrepancy-resolved',
  'discrepancy-storm',
  'source-unhealthy',
  'source-recovered',
] as const;

/** An outbox item as stored: the row's own fields checked, the alert's content checked by its type. */
const rowSchema = z.object({
  alertId: z.string().min(1),
  runId: z.string(),
  alert: z.custom<OwedAlert>((value) => z.looseObject({ type: z.enum(ALERT_TYPES) }).safeParse(value).success, 'not an owed alert'),
  uncertain: z.boolean().optional(),
  claimedUntil: z.number().optional(),
});

/**
 * The alerts owed, one DynamoDB item per alert keyed by `alertId` (docs/data-model.md): written by the
 * discrepancy store inside the transactions that owe them ({@link DynamoDbAlertOutbox.put}), read,
 * claimed, cleared and released by the drain. Only the run functions are wired with it (and granted
 * its table): an analyst's action owes no alert.
 */
export class DynamoDbAlertOutbox implements AlertOutbox {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  /** The transaction item that records `owed`: the store adds it to the write that owes the alert. */
  put(owed: IdentifiedAlert) {
    return { Put: { TableName: this.table, Item: { ...owed, uncertain: false } } };
  }

  async owed(): Promise<OwedRow[]> {
    const rows: OwedRow[] = [];
    let ExclusiveStartKey: Record<string, unknown> | undefined;
    do {
      const page = await this.client.send(new ScanCommand({ TableName: this.table, ConsistentRead: true, ExclusiveStartKey }));
      for (const item of page.Items ?? []) {
        const { uncertain, ...row } = rowSchema.parse(item);
        rows.push({ ...row, uncertain: uncertain ?? false });
      }
      ExclusiveStartKey = page.LastEvaluatedKey;
    } while (ExclusiveStartKey);
    return rows;
  }

  async claim(row: OwedRow, holder: string, now: number, until: number): Promise<boolean> {
    return this.unlessChanged(() =>
      this.client.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { alertId: row.alertId },
          // A claim that ran out was a drainer stopped mid-publish: the message may have gone out.
          UpdateExpression: `SET claimedBy = :holder, claimedUntil = :until${row.claimedUntil === undefined ? '' : ', uncertain = :true'}`,
          ConditionExpression: 'attribute_exists(alertId) AND (attribute_not_exists(claimedUntil) OR claimedUntil < :now)',
          ExpressionAttributeValues: {
            ':holder': holder,
            ':until': until,
            ':now': now,
            ...(row.claimedUntil !== undefined && { ':true': true }),
          },
        }),
      ),
    );
  }

  /**
   * Clears a published alert. A delete DynamoDB refuses for now is made again (up to
   * {@link CLEAR_ATTEMPTS} calls): a row left behind is published again once its claim runs out,
   * marked uncertain, with the same id.
   */
  async cleared(alertId: string): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.client.send(new DeleteCommand({ TableName: this.table, Key: { alertId } }));
        return;
      } catch (error) {
        if (attempt >= CLEAR_ATTEMPTS || !refusedForNow(error)) throw error;
        await backoff(attempt);
      }
    }
  }

  async release(alertId: string, holder: string, uncertain: boolean): Promise<void> {
    await this.unlessChanged(() =>
      this.client.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { alertId },
          UpdateExpression: `REMOVE claimedBy, claimedUntil${uncertain ? ' SET uncertain = :true' : ''}`,
          ConditionExpression: 'claimedBy = :holder',
          ExpressionAttributeValues: { ':holder': holder, ...(uncertain && { ':true': true }) },
        }),
      ),
    );
  }

  async replaceByStorm(storm: IdentifiedAlert, replaced: readonly string[]): Promise<void> {
    // The decision first, once: a second drainer (or one resumed after a crash) finds it and only clears.
    await this.unlessChanged(() =>
      this.client.send(new PutCommand({ ...this.put(storm).Put, ConditionExpression: 'attribute_not_exists(alertId)' })),
    );
    for (const alertId of replaced) await this.cleared(alertId);
  }

  /** Runs a conditional write: false when its condition failed (another drainer was first), any other error thrown. */
  private async unlessChanged(write: () => Promise<unknown>): Promise<boolean> {
    try {
      await write();
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }
}
