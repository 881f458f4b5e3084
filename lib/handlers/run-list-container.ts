import { loadStoreConfig } from '../config';
import type { Logger } from '../log';
import type { RunList } from '../ports/run-list';
import { documentClient } from '../store/dynamodb-client';
import { DynamoDbRunList } from '../store/dynamodb-run-list';
import { buildOnce } from './build-once';
import { lambdaLog } from './lambda-logger';
import type { WiringSource } from './wiring-source';

/** What `GET /runs` needs, and all it gets: the runs listed by the runs table's index, and a logger. */
export interface RunListWiring {
  runs: RunList;
  log: Logger;
}

/**
 * `GET /runs`'s production wiring, built once per container: the run list alone, so the function bundles (and
 * is granted) the Query of the runs table's index and nothing of the discrepancies, the lock or the queue.
 */
export const runListContainer: WiringSource<RunListWiring> = buildOnce(() => {
  const config = loadStoreConfig();
  return { runs: new DynamoDbRunList(documentClient(config), config.tables.runs), log: lambdaLog };
});
