import { loadStoreConfig } from '../config';
import { wireStore } from '../store-wiring';
import { buildOnce } from './build-once';
import { lambdaLog } from './lambda-logger';

const store = buildOnce(() => wireStore(loadStoreConfig(), undefined, lambdaLog));

/**
 * The compliance handlers' wiring (the store only), built once per container from the variables
 * they read: no upstream URL or credential is needed, so none is given to them, and no SSM read.
 */
export const storeContainer = store.get;

/** The compliance handlers' logger, or a default one when their configuration failed to load. */
export const storeContainerLog = store.log;
