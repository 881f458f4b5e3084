import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import type { Discrepancy } from '../../lib/domain/discrepancy';
import { emptyTallies, type RunSummary } from '../../lib/runs/run-summary';
import { DynamoDbDiscrepancyStore } from '../../lib/store/dynamodb-discrepancy-store';
import { freshTables } from '../support/local-services';

const discrepancy = (runId: string, difference = '0.000000000000000001'): Discrepancy => ({
  id: 'amount-split:u1:eth',
  check: 'amount-split',
  userId: 'u1',
  asset: 'eth',
  field: 'assetAmount',
  expected: '9007199254740993.123456789012345677',
  actual: '9007199254740993.123456789012345678',
  difference,
  evidence: { 'reporting.amount': '9007199254740993.123456789012345678' },
  severity: 'low',
  runId,
  detectedAt: '2026-11-22T00:00:00.000Z',
});

describe('DynamoDbDiscrepancyStore (DynamoDB Local)', () => {
  it('opens a discrepancy once and keeps its exact figures as strings', async () => {
    const { tables, documents } = await freshTables();
    const store = new DynamoDbDiscrepancyStore(documents, tables);
    expect(await store.record(discrepancy('r1'))).toBe('opened');
    expect(await store.record(discrepancy('r2'))).toBe('seen-again');
    const { Item } = await documents.send(new GetCommand({ TableName: tables.discrepancies, Key: { id: 'amount-split:u1:eth' } }));
    expect(Item).toMatchObject({
      status: 'open',
      expected: '9007199254740993.123456789012345677',
      actual: '9007199254740993.123456789012345678',
      difference: '0.000000000000000001',
      firstRunId: 'r1',
      lastRunId: 'r2',
      runsSeen: 2,
    });
  });

  it('counts a run delivered twice once', async () => {
    const { tables, documents } = await freshTables();
    const store = new DynamoDbDiscrepancyStore(documents, tables);
    await store.record(discrepancy('r1'));
    await store.record(discrepancy('r2'));
    await store.record(discrepancy('r2'));
    const { Item } = await documents.send(new GetCommand({ TableName: tables.discrepancies, Key: { id: 'amount-split:u1:eth' } }));
    expect(Item?.runsSeen).toBe(2);
  });

  it('saves a run summary under its id', async () => {
    const { tables, documents } = await freshTables();
    const store = new DynamoDbDiscrepancyStore(documents, tables);
    const summary: RunSummary = {
      runId: 'r-1',
      trigger: { type: 'manual', by: 'analyst' },
      asOf: '2026-11-22T00:00:00.000Z',
      startedAt: '2026-11-22T00:00:00.000Z',
      finishedAt: '2026-11-22T00:00:01.000Z',
      status: 'complete',
      users: 2,
      positions: 3,
      checks: emptyTallies(),
      sources: { reporting: { status: 'ok', failures: 0 } },
      discrepancies: { total: 0, opened: 0, items: [], truncated: false },
    };
    await store.saveRun(summary);
    const { Item } = await documents.send(new GetCommand({ TableName: tables.runs, Key: { runId: 'r-1' } }));
    expect(Item).toEqual(summary);
  });
});
