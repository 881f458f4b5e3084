import { type DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { ShardTally } from '../runs/shard-tally';
import type { RunPlan, RunStateStore } from '../runs/shard-worker';

/**
 * A fanned-out run's state in the runs table: the plan (`plan#<runId>`, with the claim counter and
 * the set of finished shards) and one checkpoint per shard (`shard#<runId>#<n>`). The counters are
 * atomic updates, so exactly one shard sees itself last; the finished set makes a retried shard
 * count once.
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
}
