import { loadStoreConfig } from '../config';
import { type HistoryAuditWiring, wireHistoryAudit } from '../history-audit-wiring';
import { buildOnce } from './build-once';
import { lambdaLog } from './lambda-logger';
import type { WiringSource } from './wiring-source';

/** `GET /history/verify`'s production wiring, built once per container: the store's reads only, no upstream, no SSM read. */
export const historyAuditContainer: WiringSource<HistoryAuditWiring> = buildOnce(() => wireHistoryAudit(loadStoreConfig(), lambdaLog));
