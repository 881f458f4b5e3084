import { randomBytes } from 'node:crypto';
import { SNSClient } from '@aws-sdk/client-sns';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { startFauxqs } from 'fauxqs';
import { inject } from 'vitest';
import { DynamoDbDiscrepancyStore, type StoreTables } from '../../lib/store/dynamodb-discrepancy-store';
import { DynamoDbAlertOutbox } from '../../lib/store/dynamodb-outbox';
import { localDynamoDbClient } from '../../scripts/local/dynamodb-local';
import { createTables, tableNames } from '../../scripts/local/tables';

/** Fresh, uniquely named tables in the shared DynamoDB Local, with a document client on them. */
export async function freshTables() {
  const endpoint = inject('dynamoDbEndpoint');
  const client = localDynamoDbClient(endpoint);
  const suffix = randomBytes(4).toString('hex');
  const tables = tableNames(suffix, 'test');
  await createTables(client, tables);
  return { endpoint, tables, client, documents: DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } }) };
}

/**
 * The store as the run functions are wired with it: the discrepancy store on `client` (the document
 * client, or one a test wraps) recording owed alerts in the outbox table, and the outbox.
 */
export function runStore(documents: DynamoDBDocumentClient, tables: StoreTables & { outbox: string }, client = documents) {
  const outbox = new DynamoDbAlertOutbox(documents, tables.outbox);
  return { store: new DynamoDbDiscrepancyStore(client, tables, undefined, outbox), outbox };
}

/** A message as the SNS emulator delivered it to the test's queue. */
export interface DeliveredAlert {
  subject: string;
  message: string;
  attributes: Record<string, string>;
}

/**
 * An in-process SNS emulator (fauxqs) with the alerts topic subscribed by a queue, so tests can
 * read what was published.
 */
export async function alertsTopic() {
  const server = await startFauxqs({ port: 0, logger: false });
  const topicName = `alerts-${randomBytes(4).toString('hex')}`;
  const { topicArn } = server.createTopic(topicName);
  server.createQueue(`${topicName}-queue`);
  server.subscribe({ topic: topicName, queue: `${topicName}-queue` });
  const sns = new SNSClient({
    endpoint: server.address,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const delivered = (): DeliveredAlert[] =>
    (server.inspectQueue(`${topicName}-queue`)?.messages.ready ?? []).map((entry) => {
      const envelope = JSON.parse((entry as { body: string }).body) as {
        Subject?: string;
        Message: string;
        MessageAttributes?: Record<string, { Value: string }>;
      };
      return {
        subject: envelope.Subject ?? '',
        message: envelope.Message,
        attributes: Object.fromEntries(Object.entries(envelope.MessageAttributes ?? {}).map(([k, v]) => [k, v.Value])),
      };
    });
  return { endpoint: server.address, topicArn, sns, delivered, stop: () => server.stop() };
}
