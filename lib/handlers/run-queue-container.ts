import { loadRunQueueConfig } from '../config';
import { wireRunQueue } from '../run-queue-wiring';
import { buildOnce } from './build-once';
import { lambdaLog } from './lambda-logger';

const runQueue = buildOnce(() => wireRunQueue(loadRunQueueConfig(), lambdaLog));

/** `POST /runs`'s wiring (the store and the run invoker), built once per container; no upstream credential. */
export const runQueueContainer = runQueue.get;

/** `POST /runs`'s logger, or a default one when its configuration failed to load. */
export const runQueueContainerLog = runQueue.log;
