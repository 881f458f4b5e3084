import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  BatchWriteCommand,
  type DynamoDBDocumentClient,
  QueryCommand,
  type QueryCommandInput,
  ScanCommand,
  type ScanCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { ReconError } from '../errors';

/** Keys per `BatchGetItem` call: DynamoDB's limit. */
const KEYS_PER_GET = 100;
/** Items per `BatchWriteItem` call: DynamoDB's limit (16 MB in all, 400 KB each: 25 items always fit). */
const ITEMS_PER_WRITE = 25;
/** Calls for one batch, the first included, before what is still unprocessed is an error. */
const MAX_ATTEMPTS = 8;

/** DynamoDB kept leaving part of a batch unprocessed (sustained throttling). */
export class UnprocessedItemsError extends ReconError {
  override readonly name = 'UnprocessedItemsError';
  constructor(
    readonly table: string,
    readonly left: number,
  ) {
    super(`DynamoDB left ${left} item(s) of ${table} unprocessed after ${MAX_ATTEMPTS} calls`);
  }
}

/**
 * Waits before the `attempt`-th call (1 for the first retry) of a write DynamoDB could not take yet:
 * 100 ms, doubling, at most 1 s.
 */
export function backoff(attempt: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.min(1000, 50 * 2 ** attempt)));
}

/**
 * Sends `items` in calls of `perCall`; what a call answers as unprocessed (under load, or past the
 * 16 MB answer limit of a read) is sent again after a short growing pause, up to {@link MAX_ATTEMPTS} calls.
 */
async function inCalls<T>(table: string, items: T[], perCall: number, send: (batch: T[]) => Promise<T[] | undefined>): Promise<void> {
  for (let start = 0; start < items.length; start += perCall) {
    let pending: T[] | undefined = items.slice(start, start + perCall);
    for (let attempt = 0; pending && pending.length > 0; attempt++) {
      if (attempt === MAX_ATTEMPTS) throw new UnprocessedItemsError(table, pending.length);
      if (attempt > 0) await backoff(attempt);
      pending = await send(pending);
    }
  }
}

/** Every item of `keys` that exists in `table`, in calls of up to 100 keys. */
export async function batchGetAll(
  client: DynamoDBDocumentClient,
  table: string,
  keys: Record<string, unknown>[],
  options: { consistentRead?: boolean } = {},
): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  await inCalls(table, keys, KEYS_PER_GET, async (batch) => {
    const answer = await client.send(
      new BatchGetCommand({ RequestItems: { [table]: { Keys: batch, ConsistentRead: options.consistentRead ?? false } } }),
    );
    items.push(...(answer.Responses?.[table] ?? []));
    return answer.UnprocessedKeys?.[table]?.Keys;
  });
  return items;
}

/** Puts every item into `table`, unconditionally, in calls of up to 25 items (as many write units as one put each). */
export async function batchPutAll(client: DynamoDBDocumentClient, table: string, items: Record<string, unknown>[]): Promise<void> {
  await inCalls(table, items, ITEMS_PER_WRITE, async (batch) => {
    const answer = await client.send(new BatchWriteCommand({ RequestItems: { [table]: batch.map((Item) => ({ PutRequest: { Item } })) } }));
    return answer.UnprocessedItems?.[table]?.flatMap((request) => (request.PutRequest?.Item ? [request.PutRequest.Item] : []));
  });
}

/**
 * Why DynamoDB cancels a transaction that a later call may still make: throttling of a table or
 * index, or another transaction on one of its items. `ConditionalCheckFailed` is not among them: it is
 * the concurrent update. A lone put refused for throttling (after the SDK's own retries) counts as well.
 */
export const TRANSIENT_REASONS = new Set([
  'ThrottlingError',
  'ProvisionedThroughputExceeded',
  'TransactionConflict',
  'RequestLimitExceeded',
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'RequestLimitExceededException',
]);

/** Whether DynamoDB refused a lone call only for now (throttling): the same call may be made again after a pause. */
export function refusedForNow(error: unknown): boolean {
  return error instanceof Error && TRANSIENT_REASONS.has(error.name);
}

/** One page of a Query or Scan answer. */
interface Page {
  Items?: Record<string, unknown>[];
  LastEvaluatedKey?: Record<string, unknown>;
}

/** The pages of a Query, from `input.ExclusiveStartKey` (or the start) to its last: the one pagination loop of the store. */
export async function* queryPages(client: DynamoDBDocumentClient, input: QueryCommandInput): AsyncGenerator<Page> {
  yield* pagesOf((ExclusiveStartKey) => client.send(new QueryCommand({ ...input, ExclusiveStartKey })), input.ExclusiveStartKey);
}

/** Every item a Query finds, each parsed by `parse` (its kind's schema), page after page to the end. */
export async function queryAll<T>(
  client: DynamoDBDocumentClient,
  input: QueryCommandInput,
  parse: (item: Record<string, unknown>) => T,
): Promise<T[]> {
  return itemsOf(queryPages(client, input), parse);
}

/** Every item of a table (a Scan to the end), each parsed by `parse`. */
export async function scanAll<T>(
  client: DynamoDBDocumentClient,
  input: ScanCommandInput,
  parse: (item: Record<string, unknown>) => T,
): Promise<T[]> {
  return itemsOf(
    pagesOf((ExclusiveStartKey) => client.send(new ScanCommand({ ...input, ExclusiveStartKey })), input.ExclusiveStartKey),
    parse,
  );
}

async function* pagesOf(
  send: (start: Record<string, unknown> | undefined) => Promise<Page>,
  first?: Record<string, unknown>,
): AsyncGenerator<Page> {
  let start = first;
  do {
    const page = await send(start);
    yield page;
    start = page.LastEvaluatedKey;
  } while (start);
}

async function itemsOf<T>(pages: AsyncGenerator<Page>, parse: (item: Record<string, unknown>) => T): Promise<T[]> {
  const items: T[] = [];
  for await (const page of pages) for (const item of page.Items ?? []) items.push(parse(item));
  return items;
}

/**
 * DynamoDB's reason for each item of a refused write, in the order of its items; undefined for any
 * other error. A lone conditional put refused is its one item's `ConditionalCheckFailed`, one refused
 * for throttling its error's name.
 */
export function cancellationReasons(error: unknown): string[] | undefined {
  if (error instanceof TransactionCanceledException) return (error.CancellationReasons ?? []).map((reason) => reason.Code ?? 'None');
  if (error instanceof ConditionalCheckFailedException) return ['ConditionalCheckFailed'];
  if (error instanceof Error && refusedForNow(error)) return [error.name];
  return undefined;
}

/** Makes a conditional write: false when its condition failed (another writer was first), any other error thrown. */
export async function unlessConditionFailed(write: Promise<unknown>): Promise<boolean> {
  try {
    await write;
    return true;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return false;
    throw error;
  }
}
