import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SnsAlertPublisher } from '../../lib/alerts/sns-alert-publisher';
import { loadConfig } from '../../lib/config';
import { reconcile } from '../../lib/runs/reconcile';
import { wire } from '../../lib/wiring';
import { type RunningSandbox, startSandbox } from '../../sandbox/server';
import { localEnvironment } from '../support/local-environment';
import { alertsTopic, type DeliveredAlert, freshTables } from '../support/local-services';
import { correctAmountSplitPlant, keyOf } from '../support/planted-items';
import { runDeps } from '../support/run-deps';

/** How many messages the emulator delivered per alert id (the `alertId` attribute; a message without one counts under its discrepancy). */
function byAlertId(delivered: DeliveredAlert[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const alert of delivered) {
    const id = alert.attributes.alertId ?? `no-id:${alert.attributes.eventType}:${alert.attributes.discrepancyId ?? alert.subject}`;
    counts.set(id, (counts.get(id) ?? 0) + 1);
  }
  return counts;
}

describe('alerts owed while SNS fails (failure 3: DynamoDB Local, the real SNS publisher on the emulator)', () => {
  let sandbox: RunningSandbox;
  let topic: Awaited<ReturnType<typeof alertsTopic>>;
  beforeAll(async () => {
    sandbox = await startSandbox({ port: 0, users: 30, seed: 7 });
    topic = await alertsTopic();
  });
  afterAll(async () => {
    await sandbox?.close();
    await topic?.stop();
  });

  it('publishes every alert owed while SNS failed exactly once in the next run, a resolution made meanwhile included', async () => {
    const tables = await freshTables();
    const { deps } = wire(loadConfig({ ...localEnvironment(sandbox, tables, topic), PAGE_SIZE: '10' }));
    const working = deps.ports.alerts;
    // SNS answers every publish with an error: the topic does not exist.
    const failing = new SnsAlertPublisher(topic.sns, `${topic.topicArn}-gone`);
    const asOf = new Date(sandbox.book.asOf);

    const down = await reconcile({ runId: 'r-down', trigger: { type: 'direct' }, asOf }, runDeps({ ...deps, alerts: failing }));
    expect(topic.delivered()).toEqual([]);
    // SNS down does not fail the run: its summary says what is still owed.
    expect(down.status).toBe('complete');
    expect(down.alerts).toEqual({ published: 0, owed: down.discrepancies.opened });

    // A corrected balance, resolved by a run while SNS is still down.
    const plant = correctAmountSplitPlant(sandbox);
    await reconcile({ runId: 'r-down-2', trigger: { type: 'direct' }, asOf }, runDeps({ ...deps, alerts: failing }));
    expect(topic.delivered()).toEqual([]);

    const back = await reconcile({ runId: 'r-back', trigger: { type: 'direct' }, asOf }, runDeps({ ...deps, alerts: working }));
    const delivered = topic.delivered();
    // The drain before its own work published what was owed; the one at its end found nothing more.
    expect(back.alerts).toEqual({ published: 0, owed: 0 });
    const opened = delivered.filter((alert) => alert.attributes.eventType === 'discrepancy-opened');
    // Every discrepancy recorded (the venue plants are not read here) was alerted as opened, once.
    const { Items = [] } = await tables.documents.send(new ScanCommand({ TableName: tables.tables.discrepancies }));
    expect(Items.length).toBeGreaterThanOrEqual(5);
    expect(opened.map((alert) => alert.attributes.discrepancyId).sort()).toEqual(Items.map((item) => item.id).sort());
    const resolved = delivered.filter((alert) => alert.attributes.eventType === 'discrepancy-resolved');
    expect(resolved.map((alert) => alert.attributes.discrepancyId)).toEqual([keyOf(plant)]);
    expect([...byAlertId(delivered).values()].every((count) => count === 1)).toBe(true);
    expect(delivered.every((alert) => alert.attributes.alertId !== undefined)).toBe(true);

    // Nothing is owed any more: a fourth run publishes nothing new.
    await reconcile({ runId: 'r-quiet', trigger: { type: 'direct' }, asOf }, runDeps({ ...deps, alerts: working }));
    expect(topic.delivered()).toHaveLength(delivered.length);
  });
});
