import { readFileSync } from 'node:fs';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { Context } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunSummary } from '../../lib/ports/run-summary';
import { DynamoDbDiscrepancyStore } from '../../lib/store/dynamodb-discrepancy-store';
import { type RunningSandbox, startSandbox } from '../../sandbox/server';
import { localEnvironment } from '../support/local-environment';
import { alertsTopic, freshTables } from '../support/local-services';
import { correctAmountSplitPlant, expectExactlyPlanted, keyOf } from '../support/planted-items';

const context = { awsRequestId: 'e2e', functionName: 'runDirect', getRemainingTimeInMillis: () => 900_000 } as unknown as Context;

describe('a whole reconciliation run (sandbox over HTTP, DynamoDB Local, SNS emulator)', () => {
  let sandbox: RunningSandbox;
  let topic: Awaited<ReturnType<typeof alertsTopic>>;
  let tables: Awaited<ReturnType<typeof freshTables>>;
  let invoke: (event: unknown) => Promise<RunSummary>;
  let first: RunSummary;

  beforeAll(async () => {
    sandbox = await startSandbox({ port: 0, users: 40, seed: 7 });
    topic = await alertsTopic();
    tables = await freshTables();
    Object.assign(process.env, localEnvironment(sandbox, tables, topic, { venues: true }), { PAGE_SIZE: '25', USER_BATCH_SIZE: '20' });
    const { handler } = await import('../../functions/run-direct');
    invoke = (event) => handler(event as never, context) as Promise<RunSummary>;
  });
  afterAll(async () => {
    await sandbox?.close();
    await topic?.stop();
  });

  it('records and alerts exactly the planted discrepancies, then alerts nothing on a second run', async () => {
    const planted = sandbox.book.manifest.planted;
    expect(planted.length).toBeGreaterThanOrEqual(5);

    first = await invoke({ ...JSON.parse(readFileSync('events/direct-run.json', 'utf8')), asOf: sandbox.book.asOf });
    expect(first.status).toBe('complete');
    expect(first.trigger).toEqual({ type: 'direct', by: 'invoke', claimedBy: 'sls invoke' });
    expect(first.users).toBe(40);
    expect(first.checks['roll-forward']['in-flight']).toBe(sandbox.book.manifest.inFlight.length);
    expect(sandbox.book.manifest.inFlight.length).toBeGreaterThanOrEqual(2);

    const { Items = [] } = await tables.documents.send(new ScanCommand({ TableName: tables.tables.discrepancies }));
    expectExactlyPlanted(Items, planted);
    const alerted = topic.delivered().map((alert) => alert.attributes.discrepancyId);
    expect(alerted.sort()).toEqual(planted.map(keyOf).sort());

    const second = await invoke({ requestedBy: 'e2e', asOf: sandbox.book.asOf });
    expect(second.discrepancies).toMatchObject({ total: planted.length, opened: 0 });
    expect(topic.delivered()).toHaveLength(planted.length);
  });

  it('records a run POST /runs queued as manual by its verified caller, and a manualBy nothing stands behind as direct and claimed', async () => {
    const store = new DynamoDbDiscrepancyStore(tables.documents, tables.tables);
    const { asOf } = sandbox.book;
    await store.queueRun({ runId: 'r-queued', trigger: { type: 'manual', by: 'alice@example.com' }, asOf, startedAt: asOf, dryRun: true });
    const queued = await invoke({ runId: 'r-queued', manualBy: 'alice@example.com', asOf, dryRun: true });
    expect(queued.trigger).toEqual({ type: 'manual', by: 'alice@example.com' });
    const claimed = await invoke({ runId: 'r-claimed', manualBy: 'alice@example.com', asOf, dryRun: true });
    expect(claimed.trigger).toEqual({ type: 'direct', by: 'invoke', claimedBy: 'alice@example.com' });
    expect((await store.getRun('r-claimed'))?.trigger).toEqual({ type: 'direct', by: 'invoke', claimedBy: 'alice@example.com' });
  });

  it('finds nothing on Bots and Admins holding funds but shows their holdings outside the totals as the sandbox holds them, and values the unknown user per asset', async () => {
    const counted = new Set(['Trader', 'User', 'Market Maker']);
    const outsideUsers = new Set(sandbox.book.users.filter((u) => !u.roles.some((r) => counted.has(r))).map((u) => u.userId));
    expect(Object.keys(sandbox.book.manifest.outsideTotals).length).toBeGreaterThan(0);
    expect(first.outsideTotals).toEqual(sandbox.book.manifest.outsideTotals);

    const { Items = [] } = await tables.documents.send(new ScanCommand({ TableName: tables.tables.discrepancies }));
    expect(Items.filter((item) => item.field === 'role-excluded')).toEqual([]);
    expect(Items.filter((item) => outsideUsers.has(item.userId as string)).map((item) => item.id)).toEqual([]);
    const alerted = topic.delivered().map((alert) => alert.attributes.discrepancyId as string);
    expect(alerted.filter((id) => outsideUsers.has(id.split(':')[1] as string))).toEqual([]);

    const unknownUser = sandbox.book.manifest.planted.filter((d) => d.field === 'user-not-found');
    expect(unknownUser.length).toBeGreaterThanOrEqual(2);
    for (const plant of unknownUser) {
      const item = Items.find((candidate) => candidate.id === keyOf(plant));
      expect(item, keyOf(plant)).toMatchObject({ asset: plant.asset, expected: plant.expected, actual: '0' });
      expect(item?.asset).not.toBe('*');
      expect(Number(item?.differenceInRoot)).toBeGreaterThan(0);
      expect(item?.evidence).toMatchObject({ 'backoffice.error': `User with id:${plant.userId} not found.` });
    }
  });

  it('resolves a corrected balance in the next run with one resolved alert, and a second delivery of that run changes nothing', async () => {
    const plant = correctAmountSplitPlant(sandbox);
    const alertsBefore = topic.delivered().length;

    const third = await invoke({ requestedBy: 'e2e', asOf: sandbox.book.asOf, runId: 'run-3' });
    const id = `amount-split:${plant.userId}:${plant.asset}`;
    expect(third.discrepancies).toMatchObject({ total: sandbox.book.manifest.planted.length - 1, opened: 0, resolved: 1 });
    const newAlerts = topic.delivered().slice(alertsBefore);
    expect(newAlerts.map((alert) => [alert.attributes.eventType, alert.attributes.discrepancyId])).toEqual([['discrepancy-resolved', id]]);
    const { Items = [] } = await tables.documents.send(new ScanCommand({ TableName: tables.tables.discrepancies }));
    expect(Items.find((item) => item.id === id)).toMatchObject({ status: 'resolved', resolvedBy: 'system' });
    const before = JSON.stringify(Items.map((item) => [item.id, item.version]).sort());

    const again = await invoke({ requestedBy: 'e2e', asOf: sandbox.book.asOf, runId: 'run-3' });
    expect(again.runId).toBe('run-3');
    expect(again.discrepancies).toEqual(third.discrepancies);
    expect(topic.delivered()).toHaveLength(alertsBefore + 1);
    const after = await tables.documents.send(new ScanCommand({ TableName: tables.tables.discrepancies }));
    expect(JSON.stringify((after.Items ?? []).map((item) => [item.id, item.version]).sort())).toBe(before);
  });

  it('runs one of two concurrent deliveries of the same run, and one of two different runs at once, with no alert', async () => {
    const alertsBefore = topic.delivered().length;
    const same = await Promise.all([
      invoke({ requestedBy: 'e2e', asOf: sandbox.book.asOf, runId: 'run-4' }),
      invoke({ requestedBy: 'e2e', asOf: sandbox.book.asOf, runId: 'run-4' }),
    ]);
    expect(same.map((summary) => summary.status).sort()).toEqual(['complete', 'skipped']);
    const different = await Promise.all([
      invoke({ requestedBy: 'e2e', asOf: sandbox.book.asOf, runId: 'run-5' }),
      invoke({ requestedBy: 'e2e', asOf: sandbox.book.asOf, runId: 'run-6' }),
    ]);
    expect(different.map((summary) => summary.status).sort()).toEqual(['complete', 'skipped']);
    // The loser names the winner (and is stored so: a later delivery of its id runs).
    const winner = different.find((summary) => summary.status === 'complete');
    expect(different.find((summary) => summary.status === 'skipped')?.reason).toBe(`another run holds the run lock: ${winner?.runId}`);
    expect(topic.delivered()).toHaveLength(alertsBefore);
  });

  it('refuses a malformed invoke payload, naming the field', async () => {
    await expect(invoke({ requestedBy: 42 })).rejects.toThrow(/requestedBy/);
  });
});
