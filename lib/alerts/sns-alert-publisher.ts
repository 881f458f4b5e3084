import { type MessageAttributeValue, PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import type { Discrepancy } from '../domain/discrepancy';
import type { DiscrepancyState } from '../domain/lifecycle';
import type { AlertPublisher, SourceProblem, SourceRecovery } from '../runs/ports';

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

  async discrepancyEscalated(discrepancy: Discrepancy, previous: { severity: string; difference: string }): Promise<void> {
    const { check, userId, asset, difference, severity } = discrepancy;
    await this.publish(
      `[balance-recon] escalated to ${severity}: ${check} ${asset} for user ${userId}`,
      [
        `Discrepancy escalated: ${check} on ${asset} for user ${userId}, from ${previous.severity} to ${severity}.`,
        `Difference now ${difference}${discrepancy.differenceInRoot ? ` (${discrepancy.differenceInRoot} in the root asset)` : ''}, was ${previous.difference}.`,
        `Discrepancy id: ${discrepancy.id} (run ${discrepancy.runId}).`,
      ].join('\n'),
      { eventType: 'discrepancy-escalated', check, asset, severity, discrepancyId: discrepancy.id },
    );
  }

  async discrepancyResolved(discrepancy: DiscrepancyState): Promise<void> {
    const { check, userId, asset, severity } = discrepancy;
    await this.publish(
      `[balance-recon] resolved: ${check} ${asset} for user ${userId}`,
      [
        `Discrepancy resolved: ${check} on ${asset} for user ${userId} (${discrepancy.resolvedNote ?? 'resolved'}, by ${discrepancy.resolvedBy ?? 'system'}).`,
        `It was open since ${discrepancy.firstSeenAt}, seen in ${discrepancy.runsSeen} run(s); largest difference ${discrepancy.largestDifference}.`,
        `Discrepancy id: ${discrepancy.id}.`,
      ].join('\n'),
      { eventType: 'discrepancy-resolved', check, asset, severity, discrepancyId: discrepancy.id },
    );
  }

  async discrepancyStorm(storm: { runId: string; count: number; largest: Discrepancy[] }): Promise<void> {
    await this.publish(
      `[balance-recon] ${storm.count} new discrepancies in run ${storm.runId}`,
      [
        `Run ${storm.runId} opened ${storm.count} discrepancies: too many for one message each. The largest by root-asset value:`,
        ...storm.largest.map(
          (d) =>
            `  ${d.severity} ${d.check} ${d.asset} user ${d.userId}: ${d.difference}${d.differenceInRoot ? ` (${d.differenceInRoot} in root)` : ''} [${d.id}]`,
        ),
        'All of them are in the discrepancies table (GET /discrepancies?status=open).',
      ].join('\n'),
      { eventType: 'discrepancy-storm', count: String(storm.count) },
    );
  }

  async sourceUnhealthy(problem: SourceProblem): Promise<void> {
    const failing = problem.failures > 0;
    const lines = failing
      ? [
          `Source ${problem.source} failed ${problem.failures} time(s) in run ${problem.runId}.`,
          `First error: ${problem.firstError}`,
          `Failing endpoints: ${endpointList(problem.source, problem.endpoints)}`,
          'The checks that needed it are unknown for the affected users; no money discrepancy was raised for them.',
        ]
      : [`Source ${problem.source} answered with fields its documented schema does not have (run ${problem.runId}).`];
    for (const { endpoint, fields } of problem.drift) lines.push(`Unknown fields from ${endpoint}: ${fields.join(', ')}`);
    await this.publish(`[balance-recon] source ${problem.source} ${failing ? 'failing' : 'drifted'}`, lines.join('\n'), {
      eventType: failing ? 'source-unhealthy' : 'source-drifted',
      source: problem.source,
    });
  }

  async sourceRecovered(recovery: SourceRecovery): Promise<void> {
    await this.publish(
      `[balance-recon] source ${recovery.source} recovered`,
      `Source ${recovery.source} answered again on every endpoint that was failing (${endpointList(recovery.source, recovery.endpoints)}), last in run ${recovery.runId}; it had been failing since ${recovery.failingSince}. Its checks are decided again.`,
      { eventType: 'source-recovered', source: recovery.source },
    );
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

/** Endpoints as alerts name them, `source:endpoint` (`reporting:users/balances`); `*` reads as every endpoint. */
function endpointList(source: string, endpoints: readonly string[]): string {
  if (endpoints.length === 0) return 'none named';
  return endpoints.map((endpoint) => (endpoint === '*' ? `${source}: every endpoint` : `${source}:${endpoint}`)).join(', ');
}
