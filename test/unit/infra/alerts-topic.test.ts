import { createRequire } from 'node:module';
import { afterEach, describe, expect, it } from 'vitest';

const require = createRequire(import.meta.url);
const alertsTopic: {
  fifo(): string;
  properties(context: { resolveVariable(name: string): Promise<unknown> }): Promise<Record<string, unknown>>;
  alertLogEvents(context: { resolveVariable(name: string): Promise<unknown> }): Promise<unknown[]>;
} = require('../../../infra/alerts-topic.js');

const variables: Record<string, unknown> = {
  'self:service': 'balance-recon',
  'sls:stage': 'prod',
  'param:alertsTopicArn': { Ref: 'AlertsTopic' },
};
const context = { resolveVariable: async (name: string) => variables[name] };

describe('the alerts topic of the template (infra/alerts-topic.js)', () => {
  afterEach(() => {
    delete process.env.ALERTS_TOPIC_FIFO;
  });

  it('is a standard topic that alertLog reads by default', async () => {
    expect(await alertsTopic.properties(context)).toEqual({ TopicName: 'balance-recon-alerts-prod', KmsMasterKeyId: 'alias/aws/sns' });
    expect(await alertsTopic.alertLogEvents(context)).toEqual([
      { sns: { arn: { Ref: 'AlertsTopic' }, topicName: 'balance-recon-alerts-prod' } },
    ]);
    expect(alertsTopic.fifo()).toBe('false');
  });

  it('is a .fifo topic without content-based deduplication with ALERTS_TOPIC_FIFO=true, which no Lambda can subscribe to', async () => {
    process.env.ALERTS_TOPIC_FIFO = 'true';
    expect(await alertsTopic.properties(context)).toEqual({
      TopicName: 'balance-recon-alerts-prod.fifo',
      KmsMasterKeyId: 'alias/aws/sns',
      FifoTopic: true,
      ContentBasedDeduplication: false,
    });
    expect(await alertsTopic.alertLogEvents(context)).toEqual([]);
    expect(alertsTopic.fifo()).toBe('true');
  });

  it('refuses anything but true or false, naming the variable', () => {
    process.env.ALERTS_TOPIC_FIFO = 'yes';
    expect(() => alertsTopic.fifo()).toThrow('ALERTS_TOPIC_FIFO must be true or false, not "yes"');
  });
});
