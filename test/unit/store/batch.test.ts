import { type BatchGetCommand, BatchWriteCommand, type DynamoDBDocumentClient, type QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { batchGetAll, batchPutAll, queryAll, UnprocessedItemsError } from '../../../lib/store/batch';

type Item = Record<string, unknown>;

/** A client whose answers leave the first `unprocessed(call)` items of each call unprocessed. */
function fakeClient(unprocessed: (call: number) => number) {
  const calls: Item[][] = [];
  const client = {
    send: async (command: BatchGetCommand | BatchWriteCommand) => {
      const call = calls.length;
      if (command instanceof BatchWriteCommand) {
        const requests = command.input.RequestItems?.t ?? [];
        calls.push(requests.map((request) => request.PutRequest?.Item as Item));
        const left = requests.slice(0, unprocessed(call));
        return { UnprocessedItems: left.length > 0 ? { t: left } : {} };
      }
      const keys = (command.input.RequestItems?.t?.Keys ?? []) as Item[];
      calls.push(keys);
      const left = keys.slice(0, unprocessed(call));
      return {
        Responses: { t: keys.slice(left.length).map((key) => ({ ...key, found: true })) },
        UnprocessedKeys: left.length > 0 ? { t: { Keys: left } } : {},
      };
    },
  } as unknown as DynamoDBDocumentClient;
  return { client, calls };
}

const items = (n: number) => Array.from({ length: n }, (_, i) => ({ id: `i${i}` }));

describe('batch calls', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('puts 60 items in calls of 25 and sends again what a call left unprocessed', async () => {
    vi.useFakeTimers();
    const { client, calls } = fakeClient((call) => (call === 0 ? 3 : 0));
    const done = batchPutAll(client, 't', items(60));
    await vi.runAllTimersAsync();
    await done;
    expect(calls.map((call) => call.length)).toEqual([25, 3, 25, 10]);
    expect(calls[1]).toEqual(items(3));
    expect(new Set(calls.flat().map((item) => item.id)).size).toBe(60);
  });

  it('gets 150 keys in calls of 100, asking again for the keys left unprocessed', async () => {
    vi.useFakeTimers();
    const { client, calls } = fakeClient((call) => (call === 0 ? 40 : 0));
    const found = batchGetAll(client, 't', items(150));
    await vi.runAllTimersAsync();
    expect((await found).map((item) => item.id).sort()).toEqual(
      items(150)
        .map((item) => item.id)
        .sort(),
    );
    expect(calls.map((call) => call.length)).toEqual([100, 40, 50]);
  });

  it('gives up with an error naming the table and what is left when DynamoDB keeps leaving items unprocessed', async () => {
    vi.useFakeTimers();
    const { client, calls } = fakeClient(() => 2);
    const done = batchPutAll(client, 't', items(5)).catch((error: unknown) => error);
    await vi.runAllTimersAsync();
    const error = await done;
    expect(error).toBeInstanceOf(UnprocessedItemsError);
    expect(error).toMatchObject({ table: 't', left: 2 });
    expect(calls.length).toBe(8);
  });
});

describe('queryAll', () => {
  it('reads every page to the last, each from where the previous ended, and parses every item', async () => {
    const starts: unknown[] = [];
    const pages = [
      { Items: [{ n: 1 }, { n: 2 }], LastEvaluatedKey: { k: 'a' } },
      { Items: [], LastEvaluatedKey: { k: 'b' } },
      { Items: [{ n: 3 }] },
    ];
    const client = {
      send: async (command: QueryCommand) => {
        starts.push(command.input.ExclusiveStartKey);
        return pages[starts.length - 1];
      },
    } as unknown as DynamoDBDocumentClient;
    const items = await queryAll(client, { TableName: 't', KeyConditionExpression: 'k = :k' }, (item) => Number(item.n) * 10);
    expect(items).toEqual([10, 20, 30]);
    expect(starts).toEqual([undefined, { k: 'a' }, { k: 'b' }]);
  });
});
