import { BatchGetCommand, type BatchGetCommandOutput, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/** Keys per `BatchGetItem` call: DynamoDB's limit. */
const KEYS_PER_CALL = 100;

/**
 * Every item of `keys` that exists in `table`, in calls of up to 100 keys. The keys DynamoDB
 * leaves unprocessed (under load, or past its 16 MB answer limit) are asked for again, after a
 * short growing pause, until none is left.
 */
export async function batchGetAll(
  client: DynamoDBDocumentClient,
  table: string,
  keys: Record<string, unknown>[],
  options: { consistentRead?: boolean } = {},
): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  for (let start = 0; start < keys.length; start += KEYS_PER_CALL) {
    let pending: Record<string, unknown>[] | undefined = keys.slice(start, start + KEYS_PER_CALL);
    for (let attempt = 0; pending && pending.length > 0; attempt++) {
      if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, Math.min(1000, 50 * 2 ** attempt)));
      const answer: BatchGetCommandOutput = await client.send(
        new BatchGetCommand({ RequestItems: { [table]: { Keys: pending, ConsistentRead: options.consistentRead ?? false } } }),
      );
      items.push(...(answer.Responses?.[table] ?? []));
      pending = answer.UnprocessedKeys?.[table]?.Keys;
    }
  }
  return items;
}
