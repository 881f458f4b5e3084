import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SnsAlertPublisher } from '../../lib/alerts/sns-alert-publisher';
import { alertsTopic } from '../support/local-services';
import { crossSourceDiscrepancy } from '../support/sample-discrepancy';

describe('SnsAlertPublisher (SNS emulator)', () => {
  let topic: Awaited<ReturnType<typeof alertsTopic>>;
  beforeAll(async () => {
    topic = await alertsTopic();
  });
  afterAll(async () => topic.stop());

  it('publishes a readable, filterable message per opened discrepancy', async () => {
    const publisher = new SnsAlertPublisher(topic.sns, topic.topicArn);
    await publisher.discrepancyOpened(crossSourceDiscrepancy, 'cross-source:u2:btc#opened#1');
    const [alert] = topic.delivered();
    expect(topic.delivered()).toHaveLength(1);
    expect(alert?.subject).toBe('[balance-recon] low cross-source btc: 0.00000001 for user u2');
    expect(alert?.message).toContain('Expected 0.5, found 0.50000001: difference 0.00000001 (0.0003 in the root asset), severity low.');
    expect(alert?.message).toContain('backoffice.amount = 0.50000001');
    expect(alert?.attributes).toEqual({
      eventType: 'discrepancy-opened',
      check: 'cross-source',
      asset: 'btc',
      severity: 'low',
      discrepancyId: 'cross-source:u2:btc',
      alertId: 'cross-source:u2:btc#opened#1',
    });
  });
});
