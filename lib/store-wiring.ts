import type { StoreConfig } from './config';
import { createLogger, type Logger } from './log';
import type { Clock } from './ports/clock';
import type { CompliancePort } from './ports/compliance';
import { documentClient } from './store/dynamodb-client';
import { DynamoDbDiscrepancies } from './store/dynamodb-discrepancies';
import { DynamoDbRunReader } from './store/dynamodb-run-reader';

/** What the compliance handlers need, and all they get: the store, the time, a logger. No upstream client is built or imported here. */
export interface StoreWiring {
  compliance: CompliancePort;
  clock: Clock;
  log: Logger;
}

/** What the compliance port is served by: the discrepancies, and the runs read by id. */
export interface ComplianceAdapters {
  discrepancies: DynamoDbDiscrepancies;
  runs: DynamoDbRunReader;
}

export { documentClient, LOCAL_CREDENTIALS } from './store/dynamodb-client';

/** The adapters of the compliance functions: the discrepancies (no outbox: an analyst's action owes no alert) and the runs' read side. */
export function complianceAdapters(config: StoreConfig): ComplianceAdapters {
  const documents = documentClient(config);
  return {
    discrepancies: new DynamoDbDiscrepancies(documents, config.tables, config.historyRetentionDays),
    runs: new DynamoDbRunReader(documents, config.tables.runs),
  };
}

/** The compliance port over its two adapters. */
export function compliancePort({ discrepancies, runs }: ComplianceAdapters): CompliancePort {
  return {
    getRun: (runId) => runs.getRun(runId),
    list: (filter, page) => discrepancies.list(filter, page),
    get: (id) => discrepancies.get(id),
    history: (discrepancy) => discrepancies.history(discrepancy),
    save: (next, event, expectedVersion) => discrepancies.save(next, event, expectedVersion),
  };
}

/**
 * The wiring of the compliance handlers (`GET /runs/{id}`, the discrepancy routes): the discrepancies and the
 * runs' read side only, so these functions neither read nor are given an upstream URL or credential, nor
 * bundle (nor are granted) the run lock's or the run queue's writes.
 */
export function wireStore(
  config: StoreConfig,
  adapters: ComplianceAdapters = complianceAdapters(config),
  log: Logger = createLogger(config.logLevel),
): StoreWiring {
  return { compliance: compliancePort(adapters), clock: { now: () => new Date() }, log };
}
