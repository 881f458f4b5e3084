/**
 * The alerts topic's properties (serverless.yml `AlertsTopic`), standard or FIFO by `ALERTS_TOPIC_FIFO`, the same
 * variable the run functions read to publish with a deduplication id and message group (lib/alerts/sns-alert-publisher.ts).
 * A FIFO topic keeps content-based deduplication off: the alert id is the deduplication id, so a message re-published
 * after an unknown outcome is dropped by SNS within its five-minute window, and two different alerts with the same
 * text never are.
 */
const { topicKey } = require('./kms');

/** Whether the topic is FIFO; anything but true or false is refused at packaging, naming the variable. */
function fifo() {
  const value = (process.env.ALERTS_TOPIC_FIFO ?? 'false').trim();
  if (value !== 'true' && value !== 'false') throw new Error(`ALERTS_TOPIC_FIFO must be true or false, not ${JSON.stringify(value)}`);
  return value === 'true';
}

module.exports = {
  fifo: () => String(fifo()),
  /**
   * alertLog's trigger: the alerts topic, standard only (SNS FIFO topics deliver to SQS queues, not to Lambda): with a
   * FIFO topic the audit trail of alerts is the subscribers' queue, and alertLog has no trigger.
   */
  alertLogEvents: async ({ resolveVariable }) =>
    fifo()
      ? []
      : [
          {
            sns: {
              arn: await resolveVariable('param:alertsTopicArn'),
              topicName: `${await resolveVariable('self:service')}-alerts-${await resolveVariable('sls:stage')}`,
            },
          },
        ],
  /** The topic's Properties: its name (`.fifo` for a FIFO topic, as SNS requires), key, and FIFO settings. */
  properties: async ({ resolveVariable }) => ({
    TopicName: `${await resolveVariable('self:service')}-alerts-${await resolveVariable('sls:stage')}${fifo() ? '.fifo' : ''}`,
    KmsMasterKeyId: topicKey(),
    ...(fifo() && { FifoTopic: true, ContentBasedDeduplication: false }),
  }),
};
