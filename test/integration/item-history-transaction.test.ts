import { ProvisionedThroughputExceededException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, PutCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { actOnDiscrepancy } from '../../lib/compliance/compliance-actions';
import type { Discrepancy } from '../../lib/domain/discrepancy';
import { InvalidTransitionError, observe } from '../../lib/domain/lifecycle';
import { StoreBusyError } from '../../lib/errors';
import { RunEffects } from '../../lib/runs/run-effects';
import type { DynamoDbDiscrepancyStore, StoreTables } from '../../lib/store/dynamodb-discrepancy-store';
import { effectsOptions } from '../support/effects-options';
import { freshTables, runStore } from '../support/local-services';
import { negativeAvailable } from '../support/negative-available';

const found = (runId: string, overrides: Partial<Discrepancy> = {}): Discrepancy => negativeAvailable({ runId, ...overrides });

/**
 * The document client with the history table throttled while `throttled` is above 0 (each refused
 * write uses one): a plain put is refused as DynamoDB refuses it once the SDK's own retries are
 * spent, a transaction with a history row is cancelled with that row's `ThrottlingError` reason.
 */
function throttlingHistory(documents: DynamoDBDocumentClient, tables: StoreTables) {
  const control = { throttled: 0, refused: 0 };
  const refuse = (command: unknown): Error | undefined => {
    if (command instanceof PutCommand && command.input.TableName === tables.history)
      return new ProvisionedThroughputExceededException({
        message: 'The level of configured provisioned throughput for the table was exceeded',
        $metadata: {},
      });
    if (!(command instanceof TransactWriteCommand)) return undefined;
    const items = command.input.TransactItems ?? [];
    const onHistory = (item: (typeof items)[number]) => item.Put?.TableName === tables.history;
    if (!items.some(onHistory)) return undefined;
    return new TransactionCanceledException({
      message: 'Transaction cancelled, please refer cancellation reasons for specific reasons',
      $metadata: {},
      CancellationReasons: items.map((item) =>
        onHistory(item)
          ? { Code: 'ThrottlingError', Message: 'Throughput exceeds the current capacity of your table or index.' }
          : { Code: 'None' },
      ),
    });
  };
  const client = new Proxy(documents, {
    get(target, property, receiver) {
      if (property !== 'send') return Reflect.get(target, property, receiver);
      return async (command: Parameters<DynamoDBDocumentClient['send']>[0]) => {
        const error = control.throttled > 0 ? refuse(command) : undefined;
        if (error) {
          control.throttled--;
          control.refused++;
          throw error;
        }
        return target.send(command);
      };
    },
  });
  return { client, control };
}

/** A store on DynamoDB Local whose history table can be throttled, with one open discrepancy (`sanity:u1:btc`, opened by run r1). */
async function storeWithOneOpen(overrides: Partial<Discrepancy> = {}) {
  const { tables, documents } = await freshTables();
  const { client, control } = throttlingHistory(documents, tables);
  const { store } = runStore(documents, tables, client);
  const outcome = observe(undefined, found('r1', overrides));
  if (outcome === 'duplicate') throw new Error('unexpected duplicate');
  await store.save(outcome.next, { discrepancyId: outcome.next.id, type: 'opened', at: outcome.next.lastSeenAt, runId: 'r1' }, undefined);
  return { store, control, id: outcome.next.id };
}

/** What the item says and what its history says, side by side. */
async function itemAndHistory(store: DynamoDbDiscrepancyStore, id: string) {
  const item = await store.get(id);
  if (!item) throw new Error(`${id} is not stored`);
  const history = (await store.history(item)).map((event) => event.type);
  return { status: item.status, version: item.version, history };
}

const options = effectsOptions();
const EVERY_WRITE = Number.POSITIVE_INFINITY;

describe('a discrepancy and its history are written together (DynamoDB Local, the history table throttled)', () => {
  it("leaves neither a run's resolution nor its history row when the history write is throttled, and resolves in the next run", async () => {
    const { store, control, id } = await storeWithOneOpen();
    control.throttled = EVERY_WRITE;
    const run = await RunEffects.start(store, 'r2', options);
    run.match({ check: 'sanity', userId: 'u1', asset: 'btc', outcome: 'match' });
    await expect(run.settle()).rejects.toThrow(StoreBusyError);
    expect(control.refused).toBeGreaterThan(0);
    expect(await itemAndHistory(store, id)).toEqual({ status: 'open', version: 1, history: ['opened'] });
    control.throttled = 0;
    const next = await RunEffects.start(store, 'r3', options);
    next.match({ check: 'sanity', userId: 'u1', asset: 'btc', outcome: 'match' });
    await next.settle();
    expect(await itemAndHistory(store, id)).toEqual({ status: 'resolved', version: 2, history: ['opened', 'resolved'] });
  });

  it("keeps a run's changed figures and their history row together when the history write is throttled", async () => {
    const { store, control, id } = await storeWithOneOpen();
    control.throttled = EVERY_WRITE;
    const run = await RunEffects.start(store, 'r2', options);
    await expect(run.findings([found('r2', { actual: '-3', difference: '-3', detectedAt: '2026-11-23T00:00:00.000Z' })])).rejects.toThrow(
      StoreBusyError,
    );
    expect(await itemAndHistory(store, id)).toEqual({ status: 'open', version: 1, history: ['opened'] });
    expect((await store.get(id))?.difference).toBe('-2');
  });

  it("writes neither an analyst's acknowledgement nor its history row when the history write is throttled; the analyst's retry succeeds", async () => {
    const { store, control, id } = await storeWithOneOpen();
    control.throttled = EVERY_WRITE;
    await expect(
      actOnDiscrepancy(store, 'acknowledge', id, 'alice@example.com', 'asked ops', new Date('2026-11-23T01:00:00.000Z')),
    ).rejects.toThrow(StoreBusyError);
    expect(await itemAndHistory(store, id)).toEqual({ status: 'open', version: 1, history: ['opened'] });
    control.throttled = 0;
    const retried = await actOnDiscrepancy(
      store,
      'acknowledge',
      id,
      'alice@example.com',
      'asked ops',
      new Date('2026-11-23T01:00:05.000Z'),
    );
    expect(retried).toMatchObject({
      status: 'acknowledged',
      acknowledgedBy: 'alice@example.com',
      acknowledgedNote: 'asked ops',
      version: 2,
    });
    expect(await itemAndHistory(store, id)).toEqual({ status: 'acknowledged', version: 2, history: ['opened', 'acknowledged'] });
    // An action that landed, sent again, is refused as today: acknowledging an acknowledged discrepancy is a conflict (409).
    await expect(
      actOnDiscrepancy(store, 'acknowledge', id, 'alice@example.com', 'asked ops', new Date('2026-11-23T01:00:09.000Z')),
    ).rejects.toThrow(InvalidTransitionError);
  });

  it("rides out a brief throttle of the history table: the analyst's action lands at once, with its history row", async () => {
    // Medium: one person's `resolve` resolves it (a high one's is a proposal).
    const { store, control, id } = await storeWithOneOpen({ severity: 'medium' });
    control.throttled = 1;
    const state = await actOnDiscrepancy(store, 'resolve', id, 'alice@example.com', 'fixed', new Date('2026-11-23T01:00:00.000Z'));
    expect(state).toMatchObject({ status: 'resolved', resolvedBy: 'alice@example.com' });
    expect(control.refused).toBe(1);
    expect(await itemAndHistory(store, id)).toEqual({ status: 'resolved', version: 2, history: ['opened', 'resolved'] });
  });
});
