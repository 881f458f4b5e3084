import { SNSClient } from '@aws-sdk/client-sns';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SnsAlertPublisher } from '../../lib/alerts/sns-alert-publisher';
import type { Discrepancy } from '../../lib/domain/discrepancy';
import type { AlertOutbox } from '../../lib/ports/alerts';
import { drainOutbox } from '../../lib/runs/drain-outbox';
import { RunEffects } from '../../lib/runs/run-effects';
import { effectsOptions } from '../support/effects-options';
import { alertsTopic, type DeliveredAlert, freshTables, runStore } from '../support/local-services';

/** The `n`th of a run's findings: a different user each, its root-asset value `n`. */
const finding = (runId: string, n: number): Discrepancy => ({
  id: `amount-split:u${n}:btc`,
  check: 'amount-split',
  userId: `u${n}`,
  asset: 'btc',
  field: 'assetAmount',
  expected: '1',
  actual: `${1 + n}`,
  difference: `${n}`,
  differenceInRoot: `${n}`,
  evidence: { 'reporting.amount': `${1 + n}` },
  severity: 'low',
  runId,
  detectedAt: '2026-11-22T00:00:00.000Z',
});

/** Fresh tables with `count` opened alerts of run `runId` owed, written as a run writes them. */
async function owing(runId: string, count: number) {
  const { tables, documents } = await freshTables();
  const { store, outbox } = runStore(documents, tables);
  const effects = await RunEffects.start(store, runId, effectsOptions());
  await effects.findings(Array.from({ length: count }, (_, i) => finding(runId, i + 1)));
  return outbox;
}

/** A clock that stands still unless moved. */
function clockAt(iso: string) {
  let now = Date.parse(iso);
  return { now: () => new Date(now), advance: (ms: number) => (now += ms) };
}

/** Messages per alert id, in the order first delivered. */
const byAlertId = (delivered: DeliveredAlert[]) =>
  delivered.reduce(
    (counts, alert) => counts.set(alert.attributes.alertId ?? '', (counts.get(alert.attributes.alertId ?? '') ?? 0) + 1),
    new Map<string, number>(),
  );

/**
 * An SNS client on the emulator whose first `cut` publishes reach SNS and are published, and whose caller then sees a
 * timeout: the outcome a Lambda sees when the answer is lost. Added before the SDK's retries, so it is one publish.
 */
function answerLost(sns: SNSClient, cut: number): SNSClient {
  let left = cut;
  sns.middlewareStack.add(
    (next) => async (args) => {
      const answer = await next(args);
      if (left-- <= 0) return answer;
      throw Object.assign(new Error('socket hang up after the request was sent'), { name: 'TimeoutError' });
    },
    { step: 'initialize', name: 'loseTheAnswer' },
  );
  return sns;
}

describe('draining the outbox (DynamoDB Local, the real SNS publisher on the emulator)', () => {
  let topic: Awaited<ReturnType<typeof alertsTopic>>;
  beforeAll(async () => {
    topic = await alertsTopic();
  });
  afterAll(async () => topic?.stop());
  const sent = (from: number) => topic.delivered().slice(from);

  it('re-publishes an alert whose outcome was unknown with the same alertId, and never counts a refused one as sent', async () => {
    const outbox = await owing('r-unknown', 2);
    const clock = clockAt('2026-11-22T01:00:00.000Z');
    const before = topic.delivered().length;

    const refused = await drainOutbox(outbox, new SnsAlertPublisher(topic.sns, `${topic.topicArn}-gone`), {
      holder: 'a',
      clock,
      stormThreshold: 50,
    });
    expect(refused).toEqual({ published: 0, rejected: 2, uncertain: 0, replacedByStorm: 0, owed: 2 });
    expect((await outbox.owed()).map((row) => row.uncertain)).toEqual([false, false]);

    const sns = answerLost(
      new SNSClient({ endpoint: topic.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }),
      1,
    );
    const lost = await drainOutbox(outbox, new SnsAlertPublisher(sns, topic.topicArn), { holder: 'b', clock, stormThreshold: 50 });
    expect(lost).toMatchObject({ published: 1, uncertain: 1, owed: 1 });
    const [uncertain] = await outbox.owed();
    expect(uncertain?.uncertain).toBe(true);

    const again = await drainOutbox(outbox, new SnsAlertPublisher(topic.sns, topic.topicArn), { holder: 'c', clock, stormThreshold: 50 });
    expect(again).toMatchObject({ published: 1, owed: 0 });
    const counts = byAlertId(sent(before));
    expect([...counts.values()].sort()).toEqual([1, 2]);
    expect(counts.get(uncertain?.alertId ?? '')).toBe(2);
  });

  it('publishes each alert id once when two drains run at once', async () => {
    const outbox = await owing('r-twice', 12);
    const clock = clockAt('2026-11-22T01:00:00.000Z');
    const before = topic.delivered().length;
    const publisher = new SnsAlertPublisher(topic.sns, topic.topicArn);
    const [a, b] = await Promise.all(['a', 'b'].map((holder) => drainOutbox(outbox, publisher, { holder, clock, stormThreshold: 50 })));
    expect((a?.published ?? 0) + (b?.published ?? 0)).toBe(12);
    const counts = byAlertId(sent(before));
    expect(counts.size).toBe(12);
    expect([...counts.values()].every((count) => count === 1)).toBe(true);
    expect(await outbox.owed()).toEqual([]);
  });

  it('sends one storm summary above the threshold and never the opened alerts it replaces, also after a crash between its publish and its clearing', async () => {
    const outbox = await owing('r-storm', 12);
    const clock = clockAt('2026-11-22T01:00:00.000Z');
    const before = topic.delivered().length;
    const publisher = new SnsAlertPublisher(topic.sns, topic.topicArn);
    // The drainer dies right after SNS took the storm summary, before it clears it.
    const crashing: AlertOutbox = {
      ...bound(outbox),
      cleared: async () => {
        throw new Error('Lambda cut off');
      },
    };
    await expect(drainOutbox(crashing, publisher, { holder: 'a', clock, stormThreshold: 10 })).rejects.toThrow('Lambda cut off');
    expect((await outbox.owed()).map((row) => row.alertId)).toEqual(['storm#r-storm']);

    // Within the dead drainer's claim nothing goes out; after it, the summary again with the same id (it may have gone out).
    expect(await drainOutbox(outbox, publisher, { holder: 'b', clock, stormThreshold: 10 })).toMatchObject({ published: 0, owed: 1 });
    clock.advance(61_000);
    expect(await drainOutbox(outbox, publisher, { holder: 'c', clock, stormThreshold: 10 })).toMatchObject({ published: 1, owed: 0 });

    const delivered = sent(before);
    expect(delivered.map((alert) => alert.attributes.eventType)).toEqual(['discrepancy-storm', 'discrepancy-storm']);
    expect([...byAlertId(delivered).keys()]).toEqual(['storm#r-storm']);
    expect(delivered[0]?.subject).toBe('[balance-recon] 12 new discrepancies in run r-storm');
    expect(delivered[0]?.message).toContain('amount-split btc user u12: 12 (12 in root)');
  });

  it('never sends the opened alerts a storm decision replaced when the drain stopped while clearing them', async () => {
    const outbox = await owing('r-half', 12);
    const rows = await outbox.owed();
    const stormRow = {
      alertId: 'storm#r-half',
      runId: 'r-half',
      alert: { type: 'discrepancy-storm' as const, runId: 'r-half', count: 12, largest: [] },
    };
    // The decision is recorded and three of the twelve cleared; then the drainer died.
    await outbox.replaceByStorm(
      stormRow,
      rows.slice(0, 3).map((row) => row.alertId),
    );
    const before = topic.delivered().length;
    const result = await drainOutbox(outbox, new SnsAlertPublisher(topic.sns, topic.topicArn), {
      holder: 'b',
      clock: clockAt('2026-11-22T01:00:00.000Z'),
      // Even with a threshold the nine left do not reach, the recorded decision holds.
      stormThreshold: 50,
    });
    expect(result).toMatchObject({ published: 1, replacedByStorm: 9, owed: 0 });
    expect(sent(before).map((alert) => alert.attributes.alertId)).toEqual(['storm#r-half']);
  });
});

/** The outbox's methods bound to it, to replace one in a test. */
function bound(outbox: AlertOutbox): AlertOutbox {
  return {
    owed: () => outbox.owed(),
    claim: (...args) => outbox.claim(...args),
    cleared: (alertId) => outbox.cleared(alertId),
    release: (...args) => outbox.release(...args),
    replaceByStorm: (...args) => outbox.replaceByStorm(...args),
  };
}
