import type { StoreConfig } from './config';
import { createLogger, type Logger } from './log';
import type { Clock } from './ports/clock';
import type { HistoryAuditPort } from './ports/compliance';
import { documentClient } from './store/dynamodb-client';
import { DynamoDbHistoryAudit } from './store/dynamodb-history-audit';

/** What `GET /history/verify` needs, and all it gets: the discrepancies and their history read (never written), the time, the retention, a logger. */
export interface HistoryAuditWiring {
  audit: HistoryAuditPort;
  clock: Clock;
  log: Logger;
  historyRetentionDays: number;
}

/** The history check's wiring: a reader of the discrepancies table and the history table, nothing that writes. */
export function wireHistoryAudit(config: StoreConfig, log: Logger = createLogger(config.logLevel)): HistoryAuditWiring {
  return {
    audit: new DynamoDbHistoryAudit(documentClient(config), config.tables),
    clock: { now: () => new Date() },
    log,
    historyRetentionDays: config.historyRetentionDays,
  };
}
