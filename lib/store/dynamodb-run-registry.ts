import { DeleteCommand, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { RunQueue } from '../ports/run-queue';
import type { RunSummary } from '../ports/run-summary';
import type { RunRegistry, RunStart } from '../ports/store';
import { unlessConditionFailed } from './batch';
import { DynamoDbRunReader } from './dynamodb-run-reader';
import { LOCK_KEY, parseLockHolder, runItem, runKey } from './runs-table';

/** How long a run may be left `running` before a new delivery takes it over: longer than a Lambda can live. */
const STALE_RUNNING_MS = 16 * 60_000;

/**
 * The runs and the run lock in the runs table (docs/data-model.md). A run is written on condition of its
 * id (a run delivered twice is noticed), the lock on its expiry and holder.
 */
export class DynamoDbRunRegistry extends DynamoDbRunReader implements RunRegistry, RunQueue {
  /** A run `POST /runs` accepted, stored `queued` until its delivery begins it. */
  async queueRun(run: RunStart & { scope?: unknown; dryRun?: boolean }): Promise<void> {
    await this.client.send(
      new PutCommand({
        TableName: this.table,
        Item: runItem({ ...run, status: 'queued' }),
        ConditionExpression: 'attribute_not_exists(runId)',
      }),
    );
  }

  /** Notes how far a running run is, for `GET /runs/{id}`; a run no longer running keeps its summary. */
  async progress(runId: string, progress: { users: number; positions: number; discrepancies: number }): Promise<void> {
    await unlessConditionFailed(
      this.client.send(
        new UpdateCommand({
          TableName: this.table,
          Key: runKey(runId),
          UpdateExpression: 'SET progress = :progress',
          ConditionExpression: '#status = :running',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':progress': progress, ':running': 'running' },
        }),
      ),
    );
  }

  /** Records the start of a run; `started: false` when this run id was delivered before (with its summary once finished). */
  async beginRun(run: RunStart): Promise<{ started: true } | { started: false; previous: RunSummary | undefined }> {
    // A run queued by `POST /runs` starts here too; any other existing record is a second delivery.
    const begun = await unlessConditionFailed(
      this.client.send(
        new PutCommand({
          TableName: this.table,
          Item: runItem({ ...run, status: 'running', startedAtMs: Date.parse(run.startedAt) }),
          // A run left `running` longer than a Lambda can live crashed, one stored `failed` or `skipped` did not
          // finish: a new delivery takes it over (and resumes from its stored plan and checkpoints).
          ConditionExpression:
            'attribute_not_exists(runId) OR #status IN (:queued, :failed, :skipped) OR (#status = :running AND startedAtMs < :stale)',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':queued': 'queued',
            ':failed': 'failed',
            ':skipped': 'skipped',
            ':running': 'running',
            ':stale': Date.parse(run.startedAt) - STALE_RUNNING_MS,
          },
        }),
      ),
    );
    if (begun) return { started: true };
    const previous = await this.getRun(run.runId);
    return { started: false, previous: previous && !['running', 'queued'].includes(previous.status) ? previous : undefined };
  }

  async saveRun(summary: RunSummary): Promise<void> {
    await this.client.send(new PutCommand({ TableName: this.table, Item: runItem(summary) }));
  }

  /** Takes the run lock until `ttlMs` from `now`, unless another holder has it unexpired. */
  async acquireLock(holder: string, ttlMs: number, now: Date): Promise<boolean> {
    return unlessConditionFailed(
      this.client.send(
        new PutCommand({
          TableName: this.table,
          Item: { ...LOCK_KEY, holder, expiresAt: now.getTime() + ttlMs },
          ConditionExpression: 'attribute_not_exists(runId) OR expiresAt < :now OR holder = :holder',
          ExpressionAttributeValues: { ':now': now.getTime(), ':holder': holder },
        }),
      ),
    );
  }

  /** Keeps the run lock until `ttlMs` from `now` if `holder` still holds it. */
  async renewLock(holder: string, ttlMs: number, now: Date): Promise<boolean> {
    return unlessConditionFailed(
      this.client.send(
        new UpdateCommand({
          TableName: this.table,
          Key: LOCK_KEY,
          UpdateExpression: 'SET expiresAt = :until',
          ConditionExpression: 'holder = :holder',
          ExpressionAttributeValues: { ':until': now.getTime() + ttlMs, ':holder': holder },
        }),
      ),
    );
  }

  async lockHolder(): Promise<string | undefined> {
    const { Item } = await this.client.send(new GetCommand({ TableName: this.table, Key: LOCK_KEY, ConsistentRead: true }));
    return Item ? parseLockHolder(Item) : undefined;
  }

  async releaseLock(holder: string): Promise<void> {
    await unlessConditionFailed(
      this.client.send(
        new DeleteCommand({
          TableName: this.table,
          Key: LOCK_KEY,
          ConditionExpression: 'holder = :holder',
          ExpressionAttributeValues: { ':holder': holder },
        }),
      ),
    );
  }
}
