import { randomBytes } from 'node:crypto';
import { brotliCompressSync, gzipSync } from 'node:zlib';
import { DeleteCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import type { HistoryChunk, UserTotals } from '../../lib/ports/history';
import { DynamoDbHistoryStore } from '../../lib/store/dynamodb-history-store';
import { freshTables } from '../support/local-services';

const totals = (total: string): UserTotals => ({
  positions: { eth: [total, [1, total, 't1', 1_700_000_000_000]] },
  applied: [],
  pending: [],
  openOrders: [],
});

/** A chunk whose compressed JSON is about `bytes` long: random ids do not compress. */
function bigChunk(watermark: number, bytes: number): HistoryChunk {
  const users: Record<string, UserTotals> = {};
  for (let i = 0; i * 40 < bytes; i++)
    users[randomBytes(16).toString('hex')] = { ...totals('1'), openOrders: [randomBytes(8).toString('hex')] };
  return { watermark, users };
}

describe('DynamoDbHistoryStore (DynamoDB Local)', () => {
  it('reads several pages of totals in one load, exact to the last digit, and leaves out the pages not stored', async () => {
    const { tables, documents } = await freshTables();
    const store = new DynamoDbHistoryStore(documents, tables.totals);
    const exact = '9007199254740993.123456789012345678';
    await store.save(
      new Map<string, HistoryChunk>([
        ['totals#200#1', { watermark: 1000, users: { u1: totals(exact) } }],
        ['totals#200#3', { watermark: 2000, users: { u3: totals('0.000000000000000001') } }],
      ]),
    );
    const loaded = await store.load(['totals#200#1', 'totals#200#2', 'totals#200#3']);
    expect([...loaded.keys()].sort()).toEqual(['totals#200#1', 'totals#200#3']);
    expect(loaded.get('totals#200#1')?.users.u1?.positions.eth?.[0]).toBe(exact);
    expect(loaded.get('totals#200#3')).toMatchObject({ watermark: 2000 });
    expect((await store.load([])).size).toBe(0);
  });

  it('splits a chunk above the item limit into parts and reads it whole; a missing part makes the page untrusted', async () => {
    const { tables, documents } = await freshTables();
    const store = new DynamoDbHistoryStore(documents, tables.totals);
    const chunk = bigChunk(5000, 800_000);
    await store.save(new Map([['totals#200#7', chunk]]));
    const loaded = (await store.load(['totals#200#7'])).get('totals#200#7');
    expect(Object.keys(loaded?.users ?? {}).length).toBe(Object.keys(chunk.users).length);
    expect(loaded).toEqual(chunk);
    await documents.send(new DeleteCommand({ TableName: tables.totals, Key: { chunk: 'totals#200#7#part1' } }));
    expect((await store.load(['totals#200#7'])).has('totals#200#7')).toBe(false);
  });

  it('writes many pages at once, more than one call holds, with a page in parts among them', async () => {
    const { tables, documents } = await freshTables();
    const store = new DynamoDbHistoryStore(documents, tables.totals);
    const chunks = new Map<string, HistoryChunk>();
    for (let page = 1; page <= 30; page++)
      chunks.set(`totals#200#${page}`, { watermark: page, users: { [`u${page}`]: totals(`${page}.5`) } });
    chunks.set('totals#200#31', bigChunk(31, 800_000));
    await store.save(chunks);
    const loaded = await store.load([...chunks.keys()]);
    expect(loaded.size).toBe(31);
    for (const [key, chunk] of chunks) expect(loaded.get(key)).toEqual(chunk);
  });

  it("does not use totals stored in another format: an earlier version's objects, gzip-compressed or not, or a later format", async () => {
    const { tables, documents } = await freshTables();
    const store = new DynamoDbHistoryStore(documents, tables.totals);
    const chunk: HistoryChunk = { watermark: 3000, users: { u9: totals('12.5') } };
    await store.save(new Map([['totals#200#1', chunk]]));
    // Format 1 kept positions as objects; its first chunks were gzip-compressed, later ones Brotli (`encoding: 'br'`).
    const earlier = { watermark: 3000, users: { u9: { ...totals('12.5'), positions: { eth: { total: '12.5', kinds: {} } } } } };
    const put = (key: string, item: Record<string, unknown>) =>
      documents.send(new PutCommand({ TableName: tables.totals, Item: { chunk: key, watermark: 3000, parts: 1, ...item } }));
    await put('totals#200#2', { data: gzipSync(JSON.stringify(earlier)) });
    await put('totals#200#3', { encoding: 'br', data: brotliCompressSync(JSON.stringify(earlier)) });
    await put('totals#200#4', { format: 3, data: brotliCompressSync(JSON.stringify(chunk)) });
    const loaded = await store.load(['totals#200#1', 'totals#200#2', 'totals#200#3', 'totals#200#4']);
    expect([...loaded.keys()]).toEqual(['totals#200#1']);
    expect(loaded.get('totals#200#1')).toEqual(chunk);
  });
});
