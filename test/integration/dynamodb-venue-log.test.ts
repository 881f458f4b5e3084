import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { bucketOf, DynamoDbVenueCheckLog } from '../../lib/store/dynamodb-venue-log';
import { freshTables } from '../support/local-services';

/** The log's items in the runs table, by id. */
async function logItems(tables: Awaited<ReturnType<typeof freshTables>>) {
  const { Items = [] } = await tables.documents.send(new ScanCommand({ TableName: tables.tables.runs, ConsistentRead: true }));
  return Items.filter((item) => String(item.runId).startsWith('venuecheck#'));
}

const keys = (count: number, prefix = 'BRC') =>
  Array.from({ length: count }, (_, i) => `${prefix}${String(i).padStart(7, '0')}/${86_000_000 + i}/USDT`);

describe('DynamoDbVenueCheckLog (DynamoDB Local)', () => {
  it('knows no account before the first mark', async () => {
    const tables = await freshTables();
    expect(await new DynamoDbVenueCheckLog(tables.documents, tables.tables.runs).lastChecked('multimarkets')).toEqual(new Map());
  });

  it('keeps each account’s latest check, per venue, and leaves the other accounts’ times alone', async () => {
    const tables = await freshTables();
    const log = new DynamoDbVenueCheckLog(tables.documents, tables.tables.runs);
    await log.markChecked('multimarkets', ['A/1/USDT', 'B/2/BTC'], '2025-01-01T00:00:00.000Z');
    await log.markChecked('multimarkets', ['B/2/BTC'], '2025-01-01T01:00:00.000Z');
    await log.markChecked('indx', ['936967146346'], '2025-01-01T02:00:00.000Z');
    expect(await log.lastChecked('multimarkets')).toEqual(
      new Map([
        ['A/1/USDT', '2025-01-01T00:00:00.000Z'],
        ['B/2/BTC', '2025-01-01T01:00:00.000Z'],
      ]),
    );
    expect(await log.lastChecked('indx')).toEqual(new Map([['936967146346', '2025-01-01T02:00:00.000Z']]));
  });

  it('spreads 2,000 accounts over its buckets, more than one update’s worth in each, and reads them all back', async () => {
    const tables = await freshTables();
    const log = new DynamoDbVenueCheckLog(tables.documents, tables.tables.runs, 4);
    const all = keys(2_000);
    await log.markChecked('multimarkets', all, '2025-01-01T00:00:00.000Z');
    await log.markChecked('multimarkets', all.slice(0, 700), '2025-01-01T05:00:00.000Z');
    const back = await log.lastChecked('multimarkets');
    expect(back.size).toBe(2_000);
    expect(all.filter((key, index) => back.get(key) !== (index < 700 ? '2025-01-01T05:00:00.000Z' : '2025-01-01T00:00:00.000Z'))).toEqual(
      [],
    );
    const items = await logItems(tables);
    expect(items.map((item) => item.runId).sort()).toEqual([0, 1, 2, 3].map((bucket) => `venuecheck#multimarkets#${bucket}`));
    for (const item of items) {
      const held = Object.keys(item.checked as object);
      expect(held.length).toBeGreaterThan(100);
      expect(held.every((key) => `venuecheck#multimarkets#${bucketOf(key, 4)}` === item.runId)).toBe(true);
    }
  });

  it('keeps every bucket item far below the 400 KB item limit at its default bucket count', async () => {
    const tables = await freshTables();
    const log = new DynamoDbVenueCheckLog(tables.documents, tables.tables.runs);
    await log.markChecked('multimarkets', keys(20_000), '2025-01-01T00:00:00.000Z');
    const sizes = (await logItems(tables)).map((item) => Buffer.byteLength(JSON.stringify(item)));
    expect(sizes).toHaveLength(32);
    // 20,000 keys in 32 buckets: ~625 each, ~40 KB; a bucket holding 7.5× its share would still be under 300 KB
    expect(Math.max(...sizes)).toBeLessThan(300_000 / 7.5);
  });

  it('loses no mark when two writers create the same bucket at once', async () => {
    const tables = await freshTables();
    const log = new DynamoDbVenueCheckLog(tables.documents, tables.tables.runs, 1);
    await Promise.all([
      log.markChecked('indx', ['111111111111'], '2025-01-01T00:00:00.000Z'),
      log.markChecked('indx', ['222222222222'], '2025-01-01T00:00:01.000Z'),
    ]);
    expect(await log.lastChecked('indx')).toEqual(
      new Map([
        ['111111111111', '2025-01-01T00:00:00.000Z'],
        ['222222222222', '2025-01-01T00:00:01.000Z'],
      ]),
    );
  });

  it('stores keys with characters an update expression cannot spell as they are', async () => {
    const tables = await freshTables();
    const log = new DynamoDbVenueCheckLog(tables.documents, tables.tables.runs);
    const odd = ['a.b/c d/USDT', 'x#y/[0]/ETH', 'ü:=/1/BTC'];
    await log.markChecked('multimarkets', odd, '2025-01-01T00:00:00.000Z');
    expect([...(await log.lastChecked('multimarkets')).keys()].sort()).toEqual([...odd].sort());
  });
});
