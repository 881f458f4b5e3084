import { type PublishCommandInput, SNSClient } from '@aws-sdk/client-sns';
import { describe, expect, it } from 'vitest';
import { SnsAlertPublisher } from '../../../lib/alerts/sns-alert-publisher';
import { AlertNotPublishedError } from '../../../lib/errors';
import { crossSourceDiscrepancy } from '../../support/sample-discrepancy';

const FIFO_ARN = 'arn:aws:sns:us-east-1:123456789012:balance-recon-alerts-prod.fifo';

const discrepancy = crossSourceDiscrepancy;

/**
 * A real SNS client whose requests stop before the network: each `Publish` input as the SDK's command carries it is
 * kept, and the call answers `answer()` (a message id, or the error to throw).
 */
function capturingClient(answer: () => unknown = () => ({ MessageId: 'm-1' })) {
  const inputs: PublishCommandInput[] = [];
  const client = new SNSClient({ region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
  client.middlewareStack.add(
    () => async (args) => {
      inputs.push(args.input as PublishCommandInput);
      const output = answer();
      if (output instanceof Error) throw output;
      return { output: { ...(output as object), $metadata: {} }, response: {} };
    },
    { step: 'initialize', name: 'capture' },
  );
  return { client, inputs };
}

describe('SnsAlertPublisher', () => {
  it('publishes to a FIFO topic with the alert id as deduplication id and the discrepancy as message group', async () => {
    const { client, inputs } = capturingClient();
    const publisher = new SnsAlertPublisher(client, FIFO_ARN, { fifo: true });
    await publisher.discrepancyOpened(discrepancy, 'cross-source:u2:btc#opened#1');
    await publisher.discrepancyStorm({ runId: 'r1', count: 60, largest: [discrepancy] }, 'storm#r1');
    await publisher.sourceRecovered(
      { source: 'reporting', runId: 'r1', failingSince: '2026-11-21T00:00:00.000Z', endpoints: ['*'] },
      'source#reporting#recovered#r1',
    );
    expect(inputs.map(({ MessageDeduplicationId, MessageGroupId }) => [MessageDeduplicationId, MessageGroupId])).toEqual([
      ['cross-source:u2:btc#opened#1', 'cross-source:u2:btc'],
      ['storm#r1', 'storm#r1'],
      ['source#reporting#recovered#r1', 'source#reporting'],
    ]);
    expect(inputs[0]).toMatchObject({
      TopicArn: FIFO_ARN,
      MessageAttributes: { alertId: { DataType: 'String', StringValue: 'cross-source:u2:btc#opened#1' } },
    });
  });

  it('hashes an alert id or a group past the 128 characters SNS allows, the same way each time', async () => {
    const { client, inputs } = capturingClient();
    const publisher = new SnsAlertPublisher(client, FIFO_ARN, { fifo: true });
    const long = { ...discrepancy, id: `cross-source:${'u'.repeat(130)}:btc` };
    await publisher.discrepancyOpened(long, `${long.id}#opened#1`);
    await publisher.discrepancyOpened(long, `${long.id}#opened#1`);
    await publisher.discrepancyOpened(long, `${long.id}#opened#2`);
    const [first, second, third] = inputs;
    expect(first?.MessageDeduplicationId).toMatch(/^[0-9a-f]{64}$/);
    expect(first?.MessageGroupId).toMatch(/^[0-9a-f]{64}$/);
    expect(second?.MessageDeduplicationId).toBe(first?.MessageDeduplicationId);
    expect(third?.MessageDeduplicationId).not.toBe(first?.MessageDeduplicationId);
    expect(third?.MessageGroupId).toBe(first?.MessageGroupId);
    // The attribute keeps the id itself: subscribers de-duplicate by it.
    expect(first?.MessageAttributes?.alertId?.StringValue).toBe(`${long.id}#opened#1`);
  });

  it('sends no FIFO fields to a standard topic', async () => {
    const { client, inputs } = capturingClient();
    await new SnsAlertPublisher(client, 'arn:aws:sns:us-east-1:123456789012:alerts').discrepancyOpened(discrepancy, 'a#opened#1');
    expect(inputs[0]).not.toHaveProperty('MessageDeduplicationId');
    expect(inputs[0]).not.toHaveProperty('MessageGroupId');
  });

  it('tells a refusal SNS answered from a publish whose outcome is unknown', async () => {
    const refusal = Object.assign(new Error('Topic does not exist'), { name: 'NotFoundException', $metadata: { httpStatusCode: 404 } });
    const timeout = Object.assign(new Error('socket hang up'), { name: 'TimeoutError', $metadata: { attempts: 3 } });
    for (const [error, outcome] of [
      [refusal, 'rejected'],
      [timeout, 'unknown'],
    ] as const) {
      const { client } = capturingClient(() => error);
      const published = new SnsAlertPublisher(client, FIFO_ARN, { fifo: true }).discrepancyOpened(discrepancy, 'x#opened#1');
      await expect(published).rejects.toThrow(AlertNotPublishedError);
      await expect(published).rejects.toMatchObject({ alertId: 'x#opened#1', outcome, cause: error });
    }
  });
});
