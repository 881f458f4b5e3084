import { loadLogLevel } from '../config';
import type { Logger } from '../log';
import { buildOnce } from './build-once';
import { lambdaLog } from './lambda-logger';

// LOG_LEVEL validated here (a malformed one is a logged, failed invocation); the container's logger is already at it.
const logOnly = buildOnce(() => {
  loadLogLevel();
  return { log: lambdaLog };
});

/**
 * The logger of a function that only logs (`alertLog`), at `LOG_LEVEL`: it reads no other
 * variable and builds no client.
 * @throws {ConfigError} when `LOG_LEVEL` is malformed.
 */
export function functionLog(): Logger {
  return logOnly.get().log;
}

/** The same logger for the error middleware: a default one when `LOG_LEVEL` itself is malformed. */
export const functionErrorLog = logOnly.log;
