import { loadLogLevel } from '../config';
import type { Logger } from '../log';
import { buildOnce } from './build-once';
import { lambdaLog } from './lambda-logger';
import type { WiringSource } from './wiring-source';

/**
 * The wiring of a function that only logs (`alertLog`): the container's logger at `LOG_LEVEL`,
 * which it validates on first use (a malformed one is a logged, failed invocation, logged by a
 * default logger); it reads no other variable and builds no client.
 */
export const logContainer: WiringSource<{ log: Logger }> = buildOnce(() => {
  loadLogLevel();
  return { log: lambdaLog };
});
