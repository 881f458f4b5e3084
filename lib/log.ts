import { Logger as PowertoolsLogger } from '@aws-lambda-powertools/logger';

/** Log levels in increasing severity. */
export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;

/** One of {@link LOG_LEVELS}. */
export type LogLevel = (typeof LOG_LEVELS)[number];

/**
 * The level `LOG_LEVEL` names, or `info` when it names none: the container's logger is made before
 * the configuration is validated (which then reports a bad `LOG_LEVEL` by name).
 *
 * @example logLevelOf('debug') // 'debug';  logLevelOf('loud') // 'info'
 */
export function logLevelOf(text: string | undefined): LogLevel {
  return LOG_LEVELS.find((level) => level === text) ?? 'info';
}

/** The service name every log line and metric carries (`service`). */
export const SERVICE_NAME = 'balance-recon';

/** A structured logger: one JSON line per entry, for CloudWatch Logs Insights. */
export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
  /**
   * Adds keys to every later line of this invocation (a run's `runId`, a shard's number); the
   * Lambda context middleware clears them when the invocation ends, so a warm container's next
   * invocation does not inherit them.
   */
  appendKeys(keys: Record<string, unknown>): void;
}

/** A new Powertools logger for this service at `level` (the container holds one: see `lambdaLogger`). */
export function powertoolsLogger(level: LogLevel = 'info'): PowertoolsLogger {
  return new PowertoolsLogger({ serviceName: SERVICE_NAME, logLevel: level });
}

/**
 * The project's {@link Logger} over a Powertools logger: JSON lines with `level`, `message`,
 * `timestamp`, `service` and, once `injectLambdaContext` has run, the request id, function name and
 * cold start. Lines are serialised with `JSON.stringify`, so a {@link import('./secret').Secret}
 * prints as `[redacted]` wherever it sits in the fields.
 *
 * @example logThrough(powertoolsLogger('info')).info('run started', { runId: 'r-1' })
 */
export function logThrough(powertools: PowertoolsLogger): Logger {
  const at = (write: (message: string, fields: Record<string, unknown>) => void) => (message: string, fields?: Record<string, unknown>) =>
    write(message, fields ?? {});
  return {
    debug: at((message, fields) => powertools.debug(message, fields)),
    info: at((message, fields) => powertools.info(message, fields)),
    warn: at((message, fields) => powertools.warn(message, fields)),
    error: at((message, fields) => powertools.error(message, fields)),
    appendKeys: (keys) => powertools.appendKeys(keys),
  };
}

/** A logger at `level` writing through its own Powertools logger (tests, scripts, `wire()` without a container). */
export function createLogger(level: LogLevel = 'info'): Logger {
  return logThrough(powertoolsLogger(level));
}
