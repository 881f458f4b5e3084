import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { StoreConfig } from './config';
import { createLogger, type Logger } from './log';
import type { Clock } from './ports/clock';
import type { CompliancePort } from './ports/compliance';
import { dynamoDbClient } from './store/dynamodb-client';
import { DynamoDbDiscrepancyStore, type OutboxRecorder } from './store/dynamodb-discrepancy-store';

/** What the compliance handlers need, and all they get: the store, the time, a logger. No upstream client is built or imported here. */
export interface StoreWiring {
  compliance: CompliancePort;
  clock: Clock;
  log: Logger;
}

/** The dummy credentials a local emulator (DynamoDB Local, the SNS and Lambda stand-ins) is given; unused when deployed. */
export const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };

/**
 * The DynamoDB document client and the discrepancy store on it, shared by the store-only wiring
 * and the run wiring (which builds its other DynamoDB adapters on the same client, and gives the
 * store the outbox its writes record alerts in: `outbox` on the document client).
 */
export function storeAdapters(
  config: StoreConfig,
  outbox?: (documents: DynamoDBDocumentClient) => OutboxRecorder,
): { documents: DynamoDBDocumentClient; store: DynamoDbDiscrepancyStore } {
  const dynamo = dynamoDbClient({
    region: config.aws.region,
    ...(config.aws.dynamoDbEndpoint && { endpoint: config.aws.dynamoDbEndpoint, credentials: LOCAL_CREDENTIALS }),
  });
  const documents = DynamoDBDocumentClient.from(dynamo, { marshallOptions: { removeUndefinedValues: true } });
  return { documents, store: new DynamoDbDiscrepancyStore(documents, config.tables, config.historyRetentionDays, outbox?.(documents)) };
}

/**
 * The wiring of the compliance handlers (`GET /runs/{id}`, the discrepancy routes): the store
 * only, so these functions neither read nor are given an upstream URL or credential.
 */
export function wireStore(config: StoreConfig, adapters = storeAdapters(config), log: Logger = createLogger(config.logLevel)): StoreWiring {
  return { compliance: adapters.store, clock: { now: () => new Date() }, log };
}
