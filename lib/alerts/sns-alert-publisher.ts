import { type MessageAttributeValue, PublishCommand, type PublishCommandInput, type SNSClient } from '@aws-sdk/client-sns';
import type { Discrepancy } from '../domain/discrepancy';
import type { DiscrepancyState } from '../domain/lifecycle';
import { AlertNotPublishedError } from '../errors';
import { fifoId } from '../policy/owed-alert';
import type { AlertPublisher, SourceProblem, SourceRecovery } from '../ports/alerts';

/** A message's identity: its alert id and, for a FIFO topic, what it is about (its message group). */
interface MessageIdentity {
  alertId: string;
  subject: string;
}

/**
 * Publishes alerts to one SNS topic, one `Publish` per alert (the local emulator drops
 * `PublishBatch`). Each message has a readable subject and body and filterable attributes, among
 * them `alertId`. On a FIFO topic (`fifo`), the alert id is also the deduplication id and the
 * message group is what the alert is about (a discrepancy, a source, a run's storm): its messages
 * keep their order, and SNS drops a re-publish of one id within its five-minute window.
 */
export class SnsAlertPublisher implements AlertPublisher {
  constructor(
    private readonly client: SNSClient,
    private readonly topicArn: string,
    private readonly options: { fifo?: boolean } = {},
  ) {}

  async discrepancyOpened(discrepancy: Discrepancy, alertId: string): Promise<void> {
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
      { alertId, subject: discrepancy.id },
    );
  }

  async discrepancyEscalated(discrepancy: Discrepancy, previous: { severity: string; difference: string }, alertId: string): Promise<void> {
    const { check, userId, asset, difference, severity } = discrepancy;
    await this.publish(
      `[balance-recon] escalated to ${severity}: ${check} ${asset} for user ${userId}`,
      [
        `Discrepancy escalated: ${check} on ${asset} for user ${userId}, from ${previous.severity} to ${severity}.`,
        `Difference now ${difference}${discrepancy.differenceInRoot ? ` (${discrepancy.differenceInRoot} in the root asset)` : ''}, was ${previous.difference}.`,
        `Discrepancy id: ${discrepancy.id} (run ${discrepancy.runId}).`,
      ].join('\n'),
      { eventType: 'discrepancy-escalated', check, asset, severity, discrepancyId: discrepancy.id },
      { alertId, subject: discrepancy.id },
    );
  }

  async discrepancyResolved(discrepancy: DiscrepancyState, alertId: string): Promise<void> {
    const { check, userId, asset, severity } = discrepancy;
    await this.publish(
      `[balance-recon] resolved: ${check} ${asset} for user ${userId}`,
      [
        `Discrepancy resolved: ${check} on ${asset} for user ${userId} (${discrepancy.resolvedNote ?? 'resolved'}, by ${discrepancy.resolvedBy ?? 'system'}).`,
        `It was open since ${discrepancy.firstSeenAt}, seen in ${discrepancy.runsSeen} run(s); largest difference ${discrepancy.largestDifference}.`,
        `Discrepancy id: ${discrepancy.id}.`,
      ].join('\n'),
      { eventType: 'discrepancy-resolved', check, asset, severity, discrepancyId: discrepancy.id },
      { alertId, subject: discrepancy.id },
    );
  }

  async discrepancyStorm(storm: { runId: string; count: number; largest: Discrepancy[] }, alertId: string): Promise<void> {
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
      { alertId, subject: alertId },
    );
  }

  async sourceUnhealthy(problem: SourceProblem, alertId: string): Promise<void> {
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
    await this.publish(
      `[balance-recon] source ${problem.source} ${failing ? 'failing' : 'drifted'}`,
      lines.join('\n'),
      { eventType: failing ? 'source-unhealthy' : 'source-drifted', source: problem.source },
      { alertId, subject: `source#${problem.source}` },
    );
  }

  async sourceRecovered(recovery: SourceRecovery, alertId: string): Promise<void> {
    await this.publish(
      `[balance-recon] source ${recovery.source} recovered`,
      `Source ${recovery.source} answered again on every endpoint that was failing (${endpointList(recovery.source, recovery.endpoints)}), last in run ${recovery.runId}; it had been failing since ${recovery.failingSince}. Its checks are decided again.`,
      { eventType: 'source-recovered', source: recovery.source },
      { alertId, subject: `source#${recovery.source}` },
    );
  }

  /** Publishes one message; an error says whether SNS refused it or its fate is unknown. */
  private async publish(subject: string, message: string, attributes: Record<string, string>, identity: MessageIdentity): Promise<void> {
    const input = publishInput(this.topicArn, { subject, message, attributes }, identity, this.options.fifo ?? false);
    try {
      await this.client.send(new PublishCommand(input));
    } catch (error) {
      throw new AlertNotPublishedError(identity.alertId, snsAnswered(error) ? 'rejected' : 'unknown', { cause: error });
    }
  }
}

/**
 * One alert's `Publish` input: the readable subject (SNS takes 100 characters), the body, the
 * attributes with `alertId`; on a FIFO topic the deduplication id (the alert id, hashed past 128
 * characters) and the message group (what the alert is about, hashed the same way).
 */
export function publishInput(
  topicArn: string,
  content: { subject: string; message: string; attributes: Record<string, string> },
  identity: MessageIdentity,
  fifo: boolean,
): PublishCommandInput {
  return {
    TopicArn: topicArn,
    Subject: content.subject.slice(0, 100),
    Message: content.message,
    MessageAttributes: Object.fromEntries(
      Object.entries({ ...content.attributes, alertId: identity.alertId }).map(([name, value]): [string, MessageAttributeValue] => [
        name,
        { DataType: 'String', StringValue: value },
      ]),
    ),
    ...(fifo && { MessageDeduplicationId: fifoId(identity.alertId), MessageGroupId: fifoId(identity.subject) }),
  };
}

/** Whether SNS answered (an error with an HTTP status): the message was refused, not lost in flight. */
function snsAnswered(error: unknown): boolean {
  if (typeof error !== 'object' || error === null || !('$metadata' in error)) return false;
  const metadata = error.$metadata;
  return typeof metadata === 'object' && metadata !== null && 'httpStatusCode' in metadata && typeof metadata.httpStatusCode === 'number';
}

/** Endpoints as alerts name them, `source:endpoint` (`reporting:users/balances`); `*` reads as every endpoint. */
function endpointList(source: string, endpoints: readonly string[]): string {
  if (endpoints.length === 0) return 'none named';
  return endpoints.map((endpoint) => (endpoint === '*' ? `${source}: every endpoint` : `${source}:${endpoint}`)).join(', ');
}
