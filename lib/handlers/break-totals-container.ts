import { loadStoreConfig } from '../config';
import type { Logger } from '../log';
import type { BreakTotalsReader } from '../ports/break-totals';
import { DynamoDbBreakTotals } from '../store/dynamodb-break-totals';
import { documentClient } from '../store/dynamodb-client';
import { buildOnce } from './build-once';
import { lambdaLog } from './lambda-logger';
import type { WiringSource } from './wiring-source';

/** What `GET /discrepancies/totals` needs, and all it gets: the totals read from the status index, and a logger. */
export interface BreakTotalsWiring {
  breakTotals: BreakTotalsReader;
  log: Logger;
}

/**
 * `GET /discrepancies/totals`'s production wiring, built once per container: the totals reader alone (a Query of
 * the discrepancies' status index), valued in the configured `ROOT_ASSET`.
 */
export const breakTotalsContainer: WiringSource<BreakTotalsWiring> = buildOnce(() => {
  const config = loadStoreConfig();
  return { breakTotals: new DynamoDbBreakTotals(documentClient(config), config.tables.discrepancies, config.rootAsset), log: lambdaLog };
});
