import type { Logger } from '../log';
import { lambdaLog } from './lambda-logger';

/** The logger of a function whose own configuration failed to load (or is not loaded yet): the container's. */
const defaultLog = lambdaLog;

/** A wiring built on a container's first invocation and kept for its life, with its logger for the error middleware. */
export interface BuiltOnce<W extends { log: Logger }> {
  /**
   * The wiring, built (and its configuration validated) on first use.
   * @throws {ConfigError} when the configuration does not validate (tried again on the next invocation).
   */
  get(): W;
  /** The wiring's logger, or {@link defaultLog} while it is not built. */
  log(): Logger;
}

/**
 * Builds a wiring lazily, once per Lambda container: a configuration problem is a logged, failed
 * invocation rather than a failed cold start, and warm invocations reuse the clients.
 */
export function buildOnce<W extends { log: Logger }>(build: () => W): BuiltOnce<W> {
  let built: W | undefined;
  return {
    get: () => {
      built ??= build();
      return built;
    },
    log: () => built?.log ?? defaultLog,
  };
}
