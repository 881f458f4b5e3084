import { loadRunQueueConfig } from '../config';
import { type RunQueueWiring, wireRunQueue } from '../run-queue-wiring';
import { buildOnce } from './build-once';
import { lambdaLog } from './lambda-logger';
import type { WiringSource } from './wiring-source';

/**
 * `POST /runs`'s production wiring (the store and the run invoker), built once per container; no
 * upstream credential. Its logger is a default one when its configuration failed to load.
 */
export const runQueueContainer: WiringSource<RunQueueWiring> = buildOnce(() => wireRunQueue(loadRunQueueConfig(), lambdaLog));
