import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { StoreConfig } from './config';
import { DynamoDbDiscrepancyStore, type OutboxRecorder, type StoreParts, storeParts } from './store/dynamodb-discrepancy-store';
import { documentClient } from './store-wiring';

/**
 * The DynamoDB document client, the store's three adapters on it (`discrepancies`, `runs`, `sourceStates`) and
 * the whole store over them, shared by the run wiring (which builds its other DynamoDB adapters on the same
 * client, and gives the store the outbox its writes record alerts in: `outbox` on the document client) and `POST /runs`.
 */
export function storeAdapters(
  config: StoreConfig,
  outbox?: (documents: DynamoDBDocumentClient) => OutboxRecorder,
): { documents: DynamoDBDocumentClient; store: DynamoDbDiscrepancyStore } & StoreParts {
  const documents = documentClient(config);
  const parts = storeParts(documents, config.tables, config.historyRetentionDays, outbox?.(documents));
  return { documents, store: new DynamoDbDiscrepancyStore(documents, config.tables, undefined, undefined, parts), ...parts };
}
