import type { Logger } from '../log';

/**
 * Where a function's handler takes its wiring from: each function's `handlerWith(source)` builds
 * its handler on one, the production export on the container's (built once, or again when its
 * SSM secrets rotate), a test on a fake, so no test has to replace a module to reach a handler.
 */
export interface WiringSource<W> {
  /**
   * The wiring for this invocation, given the secrets the SSM middlewares put on the context.
   * @throws {ConfigError} when the configuration does not validate.
   */
  get(secrets?: Record<string, string>): W;
  /** The logger the error middleware uses: the wiring's, or a default one while it is not built. */
  log(): Logger;
  /** The wiring if it is built, without building it (for what runs after any handler). */
  built?(): W | undefined;
}
