import { DescribeTimeToLiveCommand } from '@aws-sdk/client-dynamodb';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import type { Discrepancy } from '../../lib/domain/discrepancy';
import { acknowledge, observe } from '../../lib/domain/lifecycle';
import { ConcurrentUpdateError, LockLostError } from '../../lib/errors';
import type { RunSummary } from '../../lib/ports/run-summary';
import { RunEffects } from '../../lib/runs/run-effects';
import { emptyTallies } from '../../lib/runs/run-summary';
import { DynamoDbDiscrepancyStore } from '../../lib/store/dynamodb-discrepancy-store';
import { effectsOptions } from '../support/effects-options';
import { freshTables, runStore } from '../support/local-services';

const found = (runId: string, overrides: Partial<Discrepancy> = {}): Discrepancy => ({
  id: 'amount-split:u1:eth',
  check: 'amount-split',
  userId: 'u1',
  asset: 'eth',
  field: 'assetAmount',
  expected: '9007199254740993.123456789012345677',
  actual: '9007199254740993.123456789012345678',
  difference: '0.000000000000000001',
  evidence: { 'reporting.amount': '9007199254740993.123456789012345678' },
  severity: 'low',
  runId,
  detectedAt: '2026-11-22T00:00:00.000Z',
  ...overrides,
});

/** The history of a stored discrepancy, as the compliance API shows it. */
async function historyOf(store: DynamoDbDiscrepancyStore, id: string) {
  const state = await store.get(id);
  if (!state) throw new Error(`${id} is not stored`);
  return store.history(state);
}

function opened(runId: string, overrides: Partial<Discrepancy> = {}) {
  const outcome = observe(undefined, found(runId, overrides));
  if (outcome === 'duplicate') throw new Error('unexpected duplicate');
  return outcome.next;
}

describe('DynamoDbDiscrepancyStore (DynamoDB Local)', () => {
  it('keeps a discrepancy with its exact figures and history, and refuses a write from a stale version', async () => {
    const { tables, documents } = await freshTables();
    const store = new DynamoDbDiscrepancyStore(documents, tables);
    const state = opened('r1');
    await store.save(state, { discrepancyId: state.id, type: 'opened', at: state.lastSeenAt, runId: 'r1' }, undefined);
    expect(await store.get(state.id)).toMatchObject({
      status: 'open',
      actual: '9007199254740993.123456789012345678',
      difference: '0.000000000000000001',
      version: 1,
    });
    const acked = acknowledge(state, 'alice', 'looking', '2026-11-22T01:00:00.000Z');
    await store.save(
      acked,
      { discrepancyId: state.id, type: 'acknowledged', at: '2026-11-22T01:00:00.000Z', by: 'alice', note: 'looking' },
      1,
    );
    await expect(store.save({ ...acked, version: 3 }, undefined, 1)).rejects.toThrow(ConcurrentUpdateError);
    expect((await historyOf(store, state.id)).map((event) => [event.type, event.runId ?? event.by])).toEqual([
      ['opened', 'r1'],
      ['acknowledged', 'alice'],
    ]);
  });

  it("keeps a discrepancy's opening on the item, with the figures it opened with, and still shows an opening row written before", async () => {
    const { tables, documents } = await freshTables();
    const store = new DynamoDbDiscrepancyStore(documents, tables);
    const first = opened('r1');
    await store.saveMany([
      { next: first, event: { discrepancyId: first.id, type: 'opened', at: first.lastSeenAt, runId: 'r1' }, expectedVersion: undefined },
    ]);
    const rows = async (id: string) =>
      (
        await documents.send(
          new QueryCommand({
            TableName: tables.history,
            KeyConditionExpression: 'discrepancyId = :id',
            ExpressionAttributeValues: { ':id': id },
          }),
        )
      ).Items ?? [];
    expect(await rows(first.id)).toEqual([]);
    // Found again with other figures: the opening still says what it opened with.
    const again = observe(first, found('r2', { difference: '5', severity: 'high', detectedAt: '2026-11-23T00:00:00.000Z' }));
    if (again === 'duplicate') throw new Error('unexpected duplicate');
    await store.saveMany([
      {
        next: again.next,
        event: { discrepancyId: first.id, type: 'escalated', at: again.next.lastSeenAt, runId: 'r2' },
        expectedVersion: 1,
      },
    ]);
    const history = await historyOf(store, first.id);
    expect(history).toEqual([
      {
        discrepancyId: first.id,
        type: 'opened',
        at: '2026-11-22T00:00:00.000Z',
        runId: 'r1',
        by: 'system',
        difference: '0.000000000000000001',
        severity: 'low',
        seq: 1,
        prevHash: '',
        hash: expect.stringMatching(/^[0-9a-f]{64}$/),
      },
      {
        discrepancyId: first.id,
        type: 'escalated',
        at: '2026-11-23T00:00:00.000Z',
        runId: 'r2',
        seq: 2,
        prevAt: '2026-11-22T00:00:00.000Z',
        prevHash: history[0]?.hash,
        hash: expect.stringMatching(/^[0-9a-f]{64}$/),
      },
    ]);
    expect(await rows(first.id)).toHaveLength(1);
    // An item opened before the opening was kept on it has its opening row: shown once.
    const {
      openedDifference: _d,
      openedSeverity: _s,
      ...earlier
    } = opened('r1', { id: 'sanity:u9:btc', check: 'sanity', userId: 'u9', asset: 'btc' });
    await store.save(earlier, { discrepancyId: earlier.id, type: 'opened', at: earlier.lastSeenAt, runId: 'r1' }, undefined);
    expect((await historyOf(store, earlier.id)).map((event) => [event.type, event.runId])).toEqual([['opened', 'r1']]);
    expect(await rows(earlier.id)).toHaveLength(1);
  });

  it('lists by status most severe first, and by asset, check and user through their indexes', async () => {
    const { tables, documents } = await freshTables();
    const store = new DynamoDbDiscrepancyStore(documents, tables);
    const low = opened('r1');
    const high = opened('r1', { id: 'cross-source:u2:btc', check: 'cross-source', userId: 'u2', asset: 'btc', severity: 'high' });
    await store.save(low, undefined, undefined);
    await store.save(high, undefined, undefined);
    expect((await store.list({ status: 'open' }, { limit: 10 })).items.map((item) => item.id)).toEqual([high.id, low.id]);
    expect((await store.list({ status: 'open', severity: 'high' }, { limit: 10 })).items.map((item) => item.id)).toEqual([high.id]);
    expect((await store.list({ asset: 'eth' }, { limit: 10 })).items.map((item) => item.id)).toEqual([low.id]);
    expect((await store.list({ check: 'cross-source', status: 'open' }, { limit: 10 })).items.map((item) => item.id)).toEqual([high.id]);
    expect((await store.list({ userId: 'u2', severity: 'high' }, { limit: 10 })).items.map((item) => item.id)).toEqual([high.id]);
    const first = await store.list({ status: 'open' }, { limit: 1 });
    expect(first.items).toHaveLength(1);
    expect(
      (await store.list({ status: 'open' }, { limit: 1, ...(first.cursor ? { cursor: first.cursor } : {}) })).items.map((item) => item.id),
    ).toEqual([low.id]);
    expect([...(await store.active()).keys()].sort()).toEqual([high.id, low.id].sort());
  });

  it('notices a run delivered twice, and lends the run lock to one holder at a time until it expires', async () => {
    const { tables, documents } = await freshTables();
    const store = new DynamoDbDiscrepancyStore(documents, tables);
    const start = {
      runId: 'r-1',
      trigger: { type: 'manual' as const, by: 'alice' },
      asOf: '2026-11-22T00:00:00.000Z',
      startedAt: '2026-11-22T00:00:00.000Z',
    };
    expect(await store.beginRun(start)).toEqual({ started: true });
    expect(await store.beginRun(start)).toEqual({ started: false, previous: undefined });
    const summary: RunSummary = {
      ...start,
      finishedAt: '2026-11-22T00:00:01.000Z',
      status: 'complete',
      users: 2,
      positions: 3,
      checks: emptyTallies(),
      sources: { reporting: { status: 'ok', failures: 0 } },
      discrepancies: { total: 0, opened: 0, items: [], truncated: false },
    };
    await store.saveRun(summary);
    expect(await store.beginRun(start)).toEqual({ started: false, previous: summary });
    const now = new Date('2026-11-22T00:00:00Z');
    expect(await store.acquireLock('r-1', 60_000, now)).toBe(true);
    expect(await store.acquireLock('r-2', 60_000, now)).toBe(false);
    expect(await store.acquireLock('r-2', 60_000, new Date(now.getTime() + 61_000))).toBe(true);
    await store.releaseLock('r-2');
    expect(await store.acquireLock('r-3', 60_000, now)).toBe(true);
  });

  it('fences a run’s writes by the run lock: refused whole once another run took it, an analyst’s writes not', async () => {
    const { tables, documents } = await freshTables();
    const store = new DynamoDbDiscrepancyStore(documents, tables);
    const start = new Date('2026-11-22T00:00:00Z');
    let now = start;
    const fenced = store.fencedBy('r-1', () => now);
    expect(await store.acquireLock('r-1', 60_000, start)).toBe(true);
    const first = opened('r-1');
    const second = opened('r-1', { id: 'cross-source:u2:btc', check: 'cross-source', userId: 'u2', asset: 'btc' });
    expect(await fenced.saveMany([{ next: first, event: undefined, expectedVersion: undefined }])).toEqual([]);
    await fenced.saveSourceState('reporting', { status: 'ok', drift: [], since: start.toISOString() });

    // r-1's lock expires; r-2 takes it.
    now = new Date(start.getTime() + 61_000);
    expect(await store.acquireLock('r-2', 60_000, now)).toBe(true);
    await expect(fenced.saveMany([{ next: second, event: undefined, expectedVersion: undefined }])).rejects.toThrow(LockLostError);
    await expect(fenced.save({ ...first, runsSeen: 2, version: 2 }, undefined, 1)).rejects.toThrow(LockLostError);
    await expect(fenced.saveSourceState('reporting', { status: 'failing', drift: [], since: now.toISOString() })).rejects.toThrow(
      LockLostError,
    );
    expect(await store.get(second.id)).toBeUndefined();
    expect(await store.get(first.id)).toMatchObject({ version: 1, runsSeen: 1 });
    expect((await store.sourceStates()).reporting?.status).toBe('ok');
    expect(await store.renewLock('r-1', 60_000, now)).toBe(false);
    expect(await store.lockHolder()).toBe('r-2');
    // The analyst's write is not the run's: it goes through.
    await store.save(acknowledge(first, 'alice', 'checked', now.toISOString()), undefined, 1);
    expect(await store.get(first.id)).toMatchObject({ status: 'acknowledged' });
  });

  it('lets a new delivery of a failed or skipped run id start it again, and not a finished one', async () => {
    const { tables, documents } = await freshTables();
    const store = new DynamoDbDiscrepancyStore(documents, tables);
    const start = {
      runId: 'r-1',
      trigger: { type: 'direct' as const },
      asOf: '2026-11-22T00:00:00.000Z',
      startedAt: '2026-11-22T00:00:00.000Z',
    };
    const summary = (status: RunSummary['status']): RunSummary => ({
      ...start,
      finishedAt: start.startedAt,
      status,
      users: 0,
      positions: 0,
      checks: emptyTallies(),
      sources: {},
      discrepancies: { total: 0, opened: 0, items: [], truncated: false },
    });
    for (const status of ['failed', 'skipped'] as const) {
      await store.saveRun(summary(status));
      expect(await store.beginRun(start)).toEqual({ started: true });
    }
    await store.saveRun(summary('complete'));
    expect(await store.beginRun(start)).toEqual({ started: false, previous: summary('complete') });
  });

  it('writes a batch in transactions, leaving out only the writes whose stored version moved, and names them', async () => {
    const { tables, documents } = await freshTables();
    const store = new DynamoDbDiscrepancyStore(documents, tables);
    const existing = opened('r1');
    const other = opened('r1', { id: 'cross-source:u2:btc', check: 'cross-source', userId: 'u2', asset: 'btc' });
    await store.save(existing, undefined, undefined);
    await store.save(other, undefined, undefined);
    const fresh = opened('r2', { id: 'amount-split:u3:eth', userId: 'u3' });
    const event = (id: string) => ({ discrepancyId: id, type: 'opened' as const, at: '2026-11-23T00:00:00.000Z', runId: 'r2' });
    const conflicts = await store.saveMany([
      { next: fresh, event: event(fresh.id), expectedVersion: undefined },
      // Thought new, but stored: refused.
      { next: { ...existing, runsSeen: 9 }, event: event(existing.id), expectedVersion: undefined },
      // A stale version: refused.
      { next: { ...other, version: 5, runsSeen: 9 }, event: undefined, expectedVersion: 4 },
    ]);
    expect(conflicts.sort()).toEqual([existing.id, other.id].sort());
    expect(await store.get(fresh.id)).toMatchObject({ version: 1, userId: 'u3' });
    expect((await historyOf(store, fresh.id)).map((item) => item.type)).toEqual(['opened']);
    expect((await store.get(existing.id))?.runsSeen).toBe(1);
    // Only its own opening (kept on the item): the refused write's event was not recorded.
    expect((await historyOf(store, existing.id)).map((item) => [item.type, item.runId])).toEqual([['opened', 'r1']]);
    expect((await store.get(other.id))?.runsSeen).toBe(1);
  });

  it('reopens a resolved discrepancy found again, though a run writes findings without reading them first', async () => {
    const { tables, documents } = await freshTables();
    const store = runStore(documents, tables).store;
    const options = effectsOptions();
    const first = await RunEffects.start(store, 'r1', options);
    await first.findings([found('r1')]);
    const second = await RunEffects.start(store, 'r2', options);
    second.match({ check: 'amount-split', userId: 'u1', asset: 'eth', outcome: 'match' });
    await second.settle();
    expect(await store.get(found('r1').id)).toMatchObject({ status: 'resolved' });
    const third = await RunEffects.start(store, 'r3', options);
    const other = found('r3', { id: 'amount-split:u2:eth', userId: 'u2' });
    await third.findings([found('r3', { detectedAt: '2026-11-24T00:00:00.000Z' }), other]);
    expect(third.tally).toMatchObject({ opened: 1, reopened: 1 });
    expect(await store.get(found('r1').id)).toMatchObject({ status: 'open', version: 3 });
    expect((await historyOf(store, found('r1').id)).map((event) => event.type)).toEqual(['opened', 'resolved', 'reopened']);
    expect(await store.get(other.id)).toMatchObject({ status: 'open', version: 1 });
  });

  it('expires history by TTL', async () => {
    const { tables, client } = await freshTables();
    const { TimeToLiveDescription } = await client.send(new DescribeTimeToLiveCommand({ TableName: tables.history }));
    expect(TimeToLiveDescription).toMatchObject({ AttributeName: 'expiresAt', TimeToLiveStatus: 'ENABLED' });
  });
});
