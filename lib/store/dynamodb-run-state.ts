import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { RunPhase, RunPlan, RunStateStore, ShardTally } from '../ports/run-state';

/**
 * A fanned-out run's state in the runs table: the plan (`plan#<runId>`, with the claim counter and
 * the set of finished shards) and one checkpoint per shard (`shard#<runId>#<n>`). The counters are
 * atomic updates, so exactly one shard sees itself last; the finished set makes a retried shard
 * count once. Each phase's claim (`claim_<shard>`/`lease_<shard>`, `claim_final`/`lease_final`, then
 * `finalDone`) is a conditional update on the plan item, so one delivery works on a shard, and one
 * delivery of the last shard finalises.
 */
export class DynamoDbRunState implements RunStateStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async savePlan(plan: RunPlan): Promise<void> {
    await this.client.send(new PutCommand({ TableName: this.table, Item: { runId: `plan#${plan.runId}`, plan, claimed: 0 } }));
  }

  async loadPlan(runId: string): Promise<RunPlan | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.table, Key: { runId: `plan#${runId}` }, ConsistentRead: true }),
    );
    return Item?.plan as RunPlan | undefined;
  }

  async loadTally(runId: string, shard: number): Promise<ShardTally | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.table, Key: { runId: `shard#${runId}#${shard}` }, ConsistentRead: true }),
    );
    return Item ? (JSON.parse(Item.tally as string) as ShardTally) : undefined;
  }

  async saveTally(runId: string, shard: number, tally: ShardTally): Promise<void> {
    // As one JSON string: a checkpoint is read and written whole, and item attributes need no mapping.
    await this.client.send(
      new PutCommand({ TableName: this.table, Item: { runId: `shard#${runId}#${shard}`, tally: JSON.stringify(tally) } }),
    );
  }

  async shardDone(runId: string, shard: number): Promise<number> {
    const { Attributes } = await this.client.send(
      new UpdateCommand({
        TableName: this.table,
        Key: { runId: `plan#${runId}` },
        UpdateExpression: 'ADD doneShards :shard',
        ExpressionAttributeValues: { ':shard': new Set([shard]) },
        ReturnValues: 'UPDATED_NEW',
      }),
    );
    return (Attributes?.doneShards as Set<number> | undefined)?.size ?? 0;
  }

  async claimShard(runId: string, shards: number): Promise<number | undefined> {
    const { Attributes } = await this.client.send(
      new UpdateCommand({
        TableName: this.table,
        Key: { runId: `plan#${runId}` },
        UpdateExpression: 'ADD claimed :one',
        ExpressionAttributeValues: { ':one': 1 },
        ReturnValues: 'UPDATED_NEW',
      }),
    );
    const claimed = Number(Attributes?.claimed ?? 0) - 1;
    return claimed < shards ? claimed : undefined;
  }

  async claimPhase(runId: string, phase: RunPhase, token: string, leaseUntilMs: number, nowMs: number): Promise<boolean> {
    return this.updatePlan(runId, {
      UpdateExpression: 'SET #claim = :token, #lease = :until',
      ConditionExpression: `attribute_exists(runId) AND ${phase === 'final' ? 'attribute_not_exists(finalDone) AND ' : ''}(attribute_not_exists(#claim) OR #claim = :token OR #lease < :now)`,
      ExpressionAttributeNames: { '#claim': `claim_${phase}`, '#lease': `lease_${phase}` },
      ExpressionAttributeValues: { ':token': token, ':until': leaseUntilMs, ':now': nowMs },
    });
  }

  async releasePhase(runId: string, phase: RunPhase, token: string): Promise<void> {
    await this.updatePlan(runId, {
      UpdateExpression: 'REMOVE #claim, #lease',
      ConditionExpression: '#claim = :token',
      ExpressionAttributeNames: { '#claim': `claim_${phase}`, '#lease': `lease_${phase}` },
      ExpressionAttributeValues: { ':token': token },
    });
  }

  async finalDone(runId: string, token: string): Promise<void> {
    await this.updatePlan(runId, {
      UpdateExpression: 'SET finalDone = :token REMOVE claim_final, lease_final',
      ExpressionAttributeValues: { ':token': token },
    });
  }

  /** A conditional update of the plan item: false when its condition failed. */
  private async updatePlan(
    runId: string,
    update: {
      UpdateExpression: string;
      ConditionExpression?: string;
      ExpressionAttributeNames?: Record<string, string>;
      ExpressionAttributeValues: Record<string, unknown>;
    },
  ): Promise<boolean> {
    try {
      await this.client.send(new UpdateCommand({ TableName: this.table, Key: { runId: `plan#${runId}` }, ...update }));
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }
}
