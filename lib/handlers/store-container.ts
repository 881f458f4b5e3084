import { loadStoreConfig } from '../config';
import { type StoreWiring, wireStore } from '../store-wiring';
import { buildOnce } from './build-once';
import { lambdaLog } from './lambda-logger';
import type { WiringSource } from './wiring-source';

/**
 * The compliance handlers' production wiring (the store only), built once per container from the
 * variables they read: no upstream URL or credential is needed, so none is given to them, and no
 * SSM read. Its logger is a default one when their configuration failed to load.
 */
export const storeContainer: WiringSource<StoreWiring> = buildOnce(() => wireStore(loadStoreConfig(), undefined, lambdaLog));
