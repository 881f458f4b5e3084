import { type MessageAttributeValue, PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import type { Discrepancy } from '../domain/discrepancy';
import type { AlertPublisher, SourceProblem } from '../runs/ports';

/**
 * Publishes alerts to one SNS topic, one `Publish` per alert (the local emulator drops
 * `PublishBatch`). Each message has a readable subject and body and filterable attributes.
 */
export class SnsAlertPublisher implements AlertPublisher {
  constructor(
    private readonly client: SNSClient,
    private readonly topicArn: string,
  ) {}

  async discrepancyOpened(discrepancy: Discrepancy): Promise<void> {
    const { check, userId, asset, field, expected, actual, difference, severity } = discrepancy;
    await this.publish(
      `[balance-recon] ${severity} ${check} ${asset}: ${difference} for user ${userId}`,
      [
        `Discrepancy opened: ${check} on ${asset} (${field}) for user ${userId}.`,
        `Expected ${expected}, found ${actual}: difference ${difference}${discrepancy.differenceInRoot ? ` (${discrepancy.differenceInRoot} in the root asset)` : ''}, severity ${severity}.`,
        'Evidence:',
        ...Object.entries(discrepancy.evidence).map(([name, value]) => `  ${name} = ${value}`),
        `Discrepancy id: ${discrepancy.id} (run ${discrepancy.runId}, detected ${discrepancy.detectedAt}).`,
      ].join('\n'),
      { eventType: 'discrepancy-opened', check, asset, severity, discrepancyId: discrepancy.id },
    );
  }

  async sourceUnhealthy(problem: SourceProblem): Promise<void> {
    const failing = problem.failures > 0;
    const lines = failing
      ? [
          `Source ${problem.source} failed ${problem.failures} time(s) in run ${problem.runId}.`,
          `First error: ${problem.firstError}`,
          'The checks that needed it are unknown for the affected users; no money discrepancy was raised for them.',
        ]
      : [`Source ${problem.source} answered with fields its documented schema does not have (run ${problem.runId}).`];
    for (const { endpoint, fields } of problem.drift) lines.push(`Unknown fields from ${endpoint}: ${fields.join(', ')}`);
    await this.publish(`[balance-recon] source ${problem.source} ${failing ? 'failing' : 'drifted'}`, lines.join('\n'), {
      eventType: failing ? 'source-unhealthy' : 'source-drifted',
      source: problem.source,
    });
  }

  private async publish(subject: string, message: string, attributes: Record<string, string>): Promise<void> {
    await this.client.send(
      new PublishCommand({
        TopicArn: this.topicArn,
        Subject: subject.slice(0, 100),
        Message: message,
        MessageAttributes: Object.fromEntries(
          Object.entries(attributes).map(([name, value]): [string, MessageAttributeValue] => [
            name,
            { DataType: 'String', StringValue: value },
          ]),
        ),
      }),
    );
  }
}
