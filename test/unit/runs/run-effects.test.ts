import { describe, expect, it } from 'vitest';
import type { Discrepancy } from '../../../lib/domain/discrepancy';
import { acknowledge, type DiscrepancyState, InvalidTransitionError, observe, resolveManually } from '../../../lib/domain/lifecycle';
import type { Severity } from '../../../lib/domain/severity';
import { drainOutbox } from '../../../lib/runs/drain-outbox';
import { RunEffects } from '../../../lib/runs/run-effects';
import { InMemoryStore, RecordingAlerts } from '../../fakes/in-memory-ports';
import { effectsOptions } from '../../support/effects-options';

const finding = (runId: string, id = 'amount-split:u1:btc', difference = '0.01', severity: Severity = 'low'): Discrepancy => {
  const [check, userId, asset] = id.split(':') as ['amount-split', string, string];
  return {
    id,
    check,
    userId,
    asset,
    field: 'assetAmount',
    expected: '1',
    actual: '1.01',
    difference,
    evidence: {},
    severity,
    differenceInRoot: difference,
    runId,
    detectedAt: '2026-11-22T00:00:00.000Z',
  };
};
/** A run started when its findings were detected, whose writes happen on 2026-11-30. */
const OPTIONS = effectsOptions('2026-11-22T00:00:00.000Z', { now: () => new Date('2026-11-30T00:00:00.000Z') });
const match = (id = 'amount-split:u1:btc') => {
  const [check, userId, asset] = id.split(':') as ['amount-split', string, string];
  return { check, userId, asset, outcome: 'match' as const };
};

async function run(
  store: InMemoryStore,
  alerts: RecordingAlerts,
  runId: string,
  findings: Discrepancy[],
  matches: string[] = [],
  options = {},
) {
  // The messages the publisher received during this run, whichever path sent them.
  const published = () => alerts.opened.length + alerts.escalated.length + alerts.resolved.length + alerts.storms.length;
  const before = published();
  const { stormThreshold = 50, ...effectOptions } = options as { stormThreshold?: number };
  const effects = await RunEffects.start(store, runId, { ...OPTIONS, ...effectOptions });
  for (const found of findings) await effects.finding(found);
  for (const id of matches) effects.match(match(id));
  await effects.settle();
  await drainOutbox(store, alerts, { holder: runId, clock: { now: () => new Date('2026-11-30T00:00:00.000Z') }, stormThreshold });
  return { ...effects.tally, alerts: published() - before };
}

describe('the discrepancy lifecycle', () => {
  it('opens, alerts once, stays quiet while still open, resolves on a match with one alert, and reopens', async () => {
    const store = new InMemoryStore();
    const alerts = new RecordingAlerts();
    expect(await run(store, alerts, 'r1', [finding('r1')])).toMatchObject({ opened: 1, alerts: 1 });
    expect(await run(store, alerts, 'r2', [finding('r2')])).toMatchObject({ opened: 0, alerts: 0 });
    expect(await run(store, alerts, 'r3', [], ['amount-split:u1:btc'])).toMatchObject({ resolved: 1, alerts: 1 });
    expect(store.discrepancies.get('amount-split:u1:btc')).toMatchObject({ status: 'resolved', resolvedBy: 'system', runsSeen: 2 });
    expect(await run(store, alerts, 'r4', [finding('r4')])).toMatchObject({ reopened: 1, alerts: 1 });
    expect(alerts.opened.map((d) => d.runId)).toEqual(['r1', 'r4']);
    expect(alerts.resolved).toHaveLength(1);
    expect(store.history.map((event) => event.type)).toEqual(['opened', 'resolved', 'reopened']);
  });

  it('writes nothing when a page of the same run is redone, and owes the alert due in that run once', async () => {
    const store = new InMemoryStore();
    const first = await RunEffects.start(store, 'r1', OPTIONS);
    await first.finding(finding('r1'));
    const before = JSON.stringify([...store.discrepancies.values()]);
    // A worker cut off after the page's writes but before its checkpoint: the resumed worker redoes the page.
    const resumed = await RunEffects.start(store, 'r1', OPTIONS);
    await resumed.finding(finding('r1'));
    expect(JSON.stringify([...store.discrepancies.values()])).toBe(before);
    expect(store.history).toHaveLength(1);
    expect(resumed.tally).toMatchObject({ opened: 0 });
    expect([...store.owedAlerts.keys()]).toEqual(['amount-split:u1:btc#opened#1']);
    // A later run finds it again: nothing more owed (its alert was recorded in r1).
    const later = await RunEffects.start(store, 'r2', OPTIONS);
    await later.finding(finding('r2'));
    expect([...store.owedAlerts.keys()]).toEqual(['amount-split:u1:btc#opened#1']);
  });

  it('waits for K consecutive runs before the first alert when asked to', async () => {
    const store = new InMemoryStore();
    const alerts = new RecordingAlerts();
    await run(store, alerts, 'r1', [finding('r1')], [], { alertAfterRuns: 2 });
    expect(alerts.opened).toHaveLength(0);
    await run(store, alerts, 'r2', [finding('r2')], [], { alertAfterRuns: 2 });
    expect(alerts.opened).toHaveLength(1);
    await run(store, alerts, 'r3', [finding('r3')], [], { alertAfterRuns: 2 });
    expect(alerts.opened).toHaveLength(1);
  });

  it('escalates once when the severity rises', async () => {
    const store = new InMemoryStore();
    const alerts = new RecordingAlerts();
    await run(store, alerts, 'r1', [finding('r1')]);
    expect(await run(store, alerts, 'r2', [finding('r2', 'amount-split:u1:btc', '500', 'medium')])).toMatchObject({
      escalated: 1,
      alerts: 1,
    });
    expect(alerts.escalated.map((d) => d.severity)).toEqual(['medium']);
    expect(store.discrepancies.get('amount-split:u1:btc')).toMatchObject({ largestDifference: '500', severity: 'medium' });
  });

  it('sends one storm summary with the largest instead of one message per new discrepancy above the threshold', async () => {
    const store = new InMemoryStore();
    const alerts = new RecordingAlerts();
    const many = Array.from({ length: 12 }, (_, i) => finding('r1', `amount-split:u${i}:btc`, String(i + 1)));
    await run(store, alerts, 'r1', many, [], { stormThreshold: 10 });
    expect(alerts.opened).toHaveLength(0);
    expect(alerts.storms).toHaveLength(1);
    expect(alerts.storms[0]?.count).toBe(12);
    expect(alerts.storms[0]?.largest[0]?.difference).toBe('12');
    expect([...store.discrepancies.values()].every((state) => state.alerted)).toBe(true);
  });

  it('resolves a per-asset presence discrepancy when the user is present everywhere again', async () => {
    const store = new InMemoryStore();
    const alerts = new RecordingAlerts();
    await run(store, alerts, 'r1', [finding('r1', 'presence:u1:btc')]);
    await run(store, alerts, 'r2', [], ['presence:u1:*']);
    expect(store.discrepancies.get('presence:u1:btc')?.status).toBe('resolved');
  });

  it("resolves a user's presence discrepancies not found again when the user is compared in full, keeping those found again", async () => {
    const store = new InMemoryStore();
    const alerts = new RecordingAlerts();
    // stored by an earlier version: one user-level user-not-found, one role-excluded
    await run(store, alerts, 'r1', [finding('r1', 'presence:u1:*'), finding('r1', 'presence:bot:*')]);
    // u1 is still unknown to the back office: its per-asset findings replace the user-level one
    await run(
      store,
      alerts,
      'r2',
      [finding('r2', 'presence:u1:btc'), finding('r2', 'presence:u1:eth')],
      ['presence:u1:*', 'presence:bot:*'],
    );
    const status = (id: string) => store.discrepancies.get(id)?.status;
    expect([status('presence:u1:*'), status('presence:bot:*'), status('presence:u1:btc'), status('presence:u1:eth')]).toEqual([
      'resolved',
      'resolved',
      'open',
      'open',
    ]);
    // found again: btc is now in the back office, eth still is not
    await run(store, alerts, 'r3', [finding('r3', 'presence:u1:eth')], ['presence:u1:*']);
    expect([status('presence:u1:btc'), status('presence:u1:eth')]).toEqual(['resolved', 'open']);
  });

  it('leaves as they are what an analyst acknowledged or resolved during the run, and resolves them in a run started after', async () => {
    const store = new InMemoryStore();
    const alerts = new RecordingAlerts();
    await run(store, alerts, 'r1', [finding('r1'), finding('r1', 'amount-split:u2:btc')]);
    const effects = await RunEffects.start(store, 'r2', { ...OPTIONS, startedAt: '2026-11-28T00:00:00.000Z' });
    // Changed after the run loaded them: the run's copies are stale.
    const first = store.discrepancies.get('amount-split:u1:btc') as DiscrepancyState;
    await store.save(acknowledge(first, 'alice', 'looking', '2026-11-29T00:00:00.000Z'), undefined, first.version);
    const second = store.discrepancies.get('amount-split:u2:btc') as DiscrepancyState;
    await store.save(resolveManually(second, 'bob', 'fixed', '2026-11-29T00:00:00.000Z'), undefined, second.version);
    effects.match(match('amount-split:u1:btc'));
    effects.match(match('amount-split:u2:btc'));
    await effects.settle();
    expect(effects.tally).toMatchObject({ resolved: 0, skipped: 0 });
    expect(store.discrepancies.get('amount-split:u1:btc')).toMatchObject({ status: 'acknowledged', acknowledgedBy: 'alice' });
    expect(store.discrepancies.get('amount-split:u2:btc')).toMatchObject({ status: 'resolved', resolvedBy: 'bob' });
    expect([...store.owedAlerts.keys()]).toEqual([]);

    const later = await RunEffects.start(store, 'r3', { ...OPTIONS, startedAt: '2026-11-29T12:00:00.000Z' });
    later.match(match('amount-split:u1:btc'));
    await later.settle();
    expect(store.discrepancies.get('amount-split:u1:btc')).toMatchObject({
      status: 'resolved',
      resolvedBy: 'system',
      acknowledgedBy: 'alice',
    });
    // The run's resolution owes its alert (recorded with it); the analyst's owes none.
    const resolvedVersion = store.discrepancies.get('amount-split:u1:btc')?.version;
    expect([...store.owedAlerts.keys()]).toEqual([`amount-split:u1:btc#resolved#${resolvedVersion}`]);
  });

  it('writes and alerts nothing on a dry run', async () => {
    const store = new InMemoryStore();
    const alerts = new RecordingAlerts();
    await run(store, alerts, 'r1', [finding('r1')], [], { dryRun: true });
    expect(store.discrepancies.size).toBe(0);
    expect(alerts.opened).toHaveLength(0);
  });
});

describe('manual transitions', () => {
  it('acknowledges an open discrepancy with who and why, and refuses to acknowledge a resolved one', () => {
    const outcome = observe(undefined, finding('r1'));
    if (outcome === 'duplicate') throw new Error('unexpected duplicate');
    const acked = acknowledge(outcome.next, 'alice@example.com', 'checking with ops', '2026-11-22T01:00:00.000Z');
    expect(acked).toMatchObject({
      status: 'acknowledged',
      acknowledgedBy: 'alice@example.com',
      acknowledgedNote: 'checking with ops',
      version: 2,
    });
    const resolved = resolveManually(acked, 'bob@example.com', 'booking fixed', '2026-11-22T02:00:00.000Z');
    expect(resolved).toMatchObject({ status: 'resolved', resolvedBy: 'bob@example.com' });
    expect(() => acknowledge(resolved, 'alice@example.com', 'again', '2026-11-22T03:00:00.000Z')).toThrow(InvalidTransitionError);
    expect(() => resolveManually(resolved, 'alice@example.com', 'again', '2026-11-22T03:00:00.000Z')).toThrow(InvalidTransitionError);
  });
});
