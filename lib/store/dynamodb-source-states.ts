import { type DynamoDBDocumentClient, GetCommand, PutCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { IdentifiedAlert } from '../ports/alerts';
import type { SourceStateStore, StoredSourceState } from '../ports/store';
import type { SourceName } from '../ports/upstream';
import type { OutboxRecorder } from './dynamodb-discrepancies';
import { type Fence, fenceCheck, parseSourceState, SOURCES, sourceKey, throwIfLockLost } from './runs-table';

/**
 * Each source's health as the last runs left it, in the runs table: read at a run's end to alert on
 * changes only, written with the alert a change owes in one transaction (and, for a run's writes,
 * `fencedBy`, on its still holding the run lock).
 */
export class DynamoDbSourceStates implements SourceStateStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly table: string,
    /** Where alerts owed are recorded: given to the run functions only. */
    private readonly outbox?: OutboxRecorder,
    private readonly fence?: Fence,
  ) {}

  /** The same states, each write fenced by `runId` holding the run lock. */
  fencedBy(runId: string, now: () => Date): DynamoDbSourceStates {
    return new DynamoDbSourceStates(this.client, this.table, this.outbox, { table: this.table, runId, now });
  }

  async sourceStates(): Promise<Partial<Record<SourceName, StoredSourceState>>> {
    const states: Partial<Record<SourceName, StoredSourceState>> = {};
    for (const source of SOURCES) {
      const { Item } = await this.client.send(new GetCommand({ TableName: this.table, Key: sourceKey(source), ConsistentRead: true }));
      if (Item) states[source] = parseSourceState(Item, source);
    }
    return states;
  }

  /** A source's health; with the alert its change owes, both in one transaction (with the run's lock check, when fenced). */
  async saveSourceState(source: SourceName, state: StoredSourceState, alert?: IdentifiedAlert): Promise<void> {
    const put = { TableName: this.table, Item: { ...sourceKey(source), ...state } };
    if (!this.fence && !alert) {
      await this.client.send(new PutCommand(put));
      return;
    }
    const items = [...(this.fence ? [fenceCheck(this.fence)] : []), { Put: put }, ...(alert ? [this.owedAlert(alert)] : [])];
    try {
      await this.client.send(new TransactWriteCommand({ TransactItems: items }));
    } catch (error) {
      throwIfLockLost(this.fence, error);
      throw error;
    }
  }

  /** The outbox row of an alert a change owes; states wired without an outbox cannot owe one. */
  private owedAlert(alert: IdentifiedAlert) {
    if (!this.outbox) throw new RangeError(`alert ${alert.alertId} is owed, but this store has no outbox`);
    return this.outbox.put(alert);
  }
}
