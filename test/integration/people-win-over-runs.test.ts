import { describe, expect, it } from 'vitest';
import { actOnDiscrepancy } from '../../lib/compliance/compliance-actions';
import type { Discrepancy } from '../../lib/domain/discrepancy';
import type { DiscrepancyStore } from '../../lib/ports/store';
import { drainOutbox } from '../../lib/runs/drain-outbox';
import { RunEffects } from '../../lib/runs/run-effects';
import type { DynamoDbDiscrepancyStore } from '../../lib/store/dynamodb-discrepancy-store';
import { RecordingAlerts } from '../fakes/in-memory-ports';
import { effectsOptions } from '../support/effects-options';
import { freshTables, runStore } from '../support/local-services';
import { negativeAvailable } from '../support/negative-available';

const ID = 'sanity:u1:btc';
const ALICE = 'alice@example.com';

/** A clock the test moves by hand: the run's reading of the time at each write. */
function handClock(at: string) {
  let now = new Date(at);
  return { now: () => now, set: (next: string) => (now = new Date(next)) };
}

/**
 * A run started at `startedAt`: its findings carry that time as `detectedAt`, as `VerdictSink` makes them. Medium,
 * so one person's `resolve` resolves it (a high one's is a proposal, maker-checker).
 */
function runOf(runId: string, startedAt: string, overrides: Partial<Discrepancy> = {}) {
  const clock = handClock(startedAt);
  const found = negativeAvailable({ runId, detectedAt: startedAt, severity: 'medium', ...overrides });
  return { clock, options: effectsOptions(startedAt, clock), found };
}

/** A store on DynamoDB Local with `sanity:u1:btc` opened (and alerted) by run r1 on 2026-11-22. */
async function storeWithOneOpen() {
  const { tables, documents } = await freshTables();
  const { store, outbox } = runStore(documents, tables);
  const alerts = new RecordingAlerts();
  const r1 = runOf('r1', '2026-11-22T00:00:00.000Z');
  const first = await RunEffects.start(store, 'r1', r1.options);
  await first.findings([r1.found]);
  await drainOutbox(outbox, alerts, { holder: 'r1', clock: { now: () => new Date() }, stormThreshold: 50 });
  return { store, alerts, outbox };
}

/** What the item says, and its history as `type by-or-run`, oldest first. */
async function itemAndHistory(store: DynamoDbDiscrepancyStore) {
  const item = await store.get(ID);
  if (!item) throw new Error(`${ID} is not stored`);
  const history = (await store.history(item)).map((event) => `${event.type} ${event.by === 'system' ? event.runId : event.by}`);
  return { status: item.status, version: item.version, history };
}

/** The store, with `between` done once right after the run's next re-read (`getMany` or `get`) of a conflicting item. */
function afterReread(store: DynamoDbDiscrepancyStore, between: () => Promise<unknown>): DiscrepancyStore {
  let pending: (() => Promise<unknown>) | undefined = between;
  const once = async <T>(read: Promise<T>): Promise<T> => {
    const value = await read;
    const act = pending;
    pending = undefined;
    if (act) await act();
    return value;
  };
  return new Proxy(store, {
    get(target, property, receiver) {
      if (property === 'getMany') return (ids: string[]) => once(target.getMany(ids));
      if (property === 'get') return (id: string) => once(target.get(id));
      return Reflect.get(target, property, receiver);
    },
  });
}

describe('people win over runs (DynamoDB Local)', () => {
  it('leaves resolved what a person resolved after the run started, with no second opened alert; the next run reopens it', async () => {
    const { store, alerts, outbox } = await storeWithOneOpen();
    const r2 = runOf('r2', '2026-11-23T00:00:00.000Z');
    const run = await RunEffects.start(store, 'r2', r2.options);
    await actOnDiscrepancy(store, 'resolve', ID, ALICE, 'fixed by ops', new Date('2026-11-23T00:05:00.000Z'));
    r2.clock.set('2026-11-23T00:10:00.000Z');
    await run.findings([r2.found]);
    await run.settle();
    await drainOutbox(outbox, alerts, { holder: 'r2', clock: { now: () => new Date() }, stormThreshold: 50 });
    expect(alerts.opened.map((alert) => alert.runId)).toEqual(['r1']);
    expect(run.tally).toMatchObject({ opened: 0, reopened: 0 });
    expect(await store.get(ID)).toMatchObject({ status: 'resolved', resolvedBy: ALICE, resolvedNote: 'fixed by ops' });
    expect((await itemAndHistory(store)).history).toEqual(['opened r1', `resolved ${ALICE}`]);

    const r3 = runOf('r3', '2026-11-24T00:00:00.000Z');
    const next = await RunEffects.start(store, 'r3', r3.options);
    await next.findings([r3.found]);
    await drainOutbox(outbox, alerts, { holder: 'r3', clock: { now: () => new Date() }, stormThreshold: 50 });
    expect(next.tally).toMatchObject({ reopened: 1 });
    expect(alerts.opened.map((alert) => alert.runId)).toEqual(['r1', 'r3']);
    expect(await itemAndHistory(store)).toEqual({
      status: 'open',
      version: 3,
      history: ['opened r1', `resolved ${ALICE}`, 'reopened r3'],
    });
  });

  it('skips and counts a finding an analyst acknowledged between the run re-reading it and writing it; the next run updates it', async () => {
    const { store } = await storeWithOneOpen();
    const r2 = runOf('r2', '2026-11-23T00:00:00.000Z', { actual: '-3', difference: '-3' });
    const acknowledged = () => actOnDiscrepancy(store, 'acknowledge', ID, ALICE, 'asked ops', new Date('2026-11-23T00:06:00.000Z'));
    const run = await RunEffects.start(afterReread(store, acknowledged), 'r2', r2.options);
    // A late shard of r1 changes the figures after r2 loaded them: r2's first write is refused, then it re-reads.
    const late = runOf('r1b', '2026-11-22T00:00:00.000Z', { actual: '-2.5', difference: '-2.5' });
    await (await RunEffects.start(store, 'r1b', late.options)).findings([late.found]);
    r2.clock.set('2026-11-23T00:10:00.000Z');
    await run.findings([r2.found]);
    expect(run.tally).toMatchObject({ skipped: 1 });
    expect(await store.get(ID)).toMatchObject({ status: 'acknowledged', acknowledgedBy: ALICE, difference: '-2.5', version: 3 });
    expect((await itemAndHistory(store)).history).toEqual(['opened r1', 'changed r1b', `acknowledged ${ALICE}`]);

    const r3 = runOf('r3', '2026-11-24T00:00:00.000Z', { actual: '-3', difference: '-3' });
    const next = await RunEffects.start(store, 'r3', r3.options);
    await next.findings([r3.found]);
    expect(await store.get(ID)).toMatchObject({ status: 'acknowledged', acknowledgedBy: ALICE, difference: '-3', lastRunId: 'r3' });
    expect((await itemAndHistory(store)).history).toEqual(['opened r1', 'changed r1b', `acknowledged ${ALICE}`, 'changed r3']);
  });

  it('skips and counts a resolution an analyst acted on between the run re-reading it and writing it', async () => {
    const { store, alerts, outbox } = await storeWithOneOpen();
    const r2 = runOf('r2', '2026-11-23T00:00:00.000Z');
    const acknowledged = () => actOnDiscrepancy(store, 'acknowledge', ID, ALICE, 'asked ops', new Date('2026-11-23T00:06:00.000Z'));
    const run = await RunEffects.start(afterReread(store, acknowledged), 'r2', r2.options);
    const late = runOf('r1b', '2026-11-22T00:00:00.000Z', { actual: '-2.5', difference: '-2.5' });
    await (await RunEffects.start(store, 'r1b', late.options)).findings([late.found]);
    run.match({ check: 'sanity', userId: 'u1', asset: 'btc', outcome: 'match' });
    r2.clock.set('2026-11-23T00:10:00.000Z');
    await run.settle();
    expect(run.tally).toMatchObject({ resolved: 0, skipped: 1 });
    await drainOutbox(outbox, alerts, { holder: 'r2', clock: { now: () => new Date() }, stormThreshold: 50 });
    expect(alerts.resolved).toEqual([]);
    expect(await itemAndHistory(store)).toEqual({
      status: 'acknowledged',
      version: 3,
      history: ['opened r1', 'changed r1b', `acknowledged ${ALICE}`],
    });
  });

  it("lists a run's write after an analyst's action that came before it, though the run started earlier", async () => {
    const { store } = await storeWithOneOpen();
    const r2 = runOf('r2', '2026-11-23T00:00:00.000Z', { actual: '-3', difference: '-3' });
    const run = await RunEffects.start(store, 'r2', r2.options);
    await actOnDiscrepancy(store, 'acknowledge', ID, ALICE, 'asked ops', new Date('2026-11-23T00:05:00.000Z'));
    r2.clock.set('2026-11-23T00:10:00.000Z');
    await run.findings([r2.found]);
    const item = await store.get(ID);
    if (!item) throw new Error(`${ID} is not stored`);
    expect((await store.history(item)).map((event) => [event.type, event.at])).toEqual([
      ['opened', '2026-11-22T00:00:00.000Z'],
      ['acknowledged', '2026-11-23T00:05:00.000Z'],
      ['changed', '2026-11-23T00:10:00.000Z'],
    ]);
  });
});
