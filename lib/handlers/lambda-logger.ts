import { type Logger, logLevelOf, logThrough, powertoolsLogger } from '../log';

/**
 * The container's one Powertools logger, at `LOG_LEVEL`: every handler's `observe()` middleware adds
 * each invocation's context to it (request id, cold start) before the configuration is even read,
 * and every wiring logs through it. Its own module, so a function without upstream clients gets it
 * without bundling the run wiring.
 */
export const lambdaLogger = powertoolsLogger(logLevelOf(process.env.LOG_LEVEL));

/** The project's {@link Logger} over {@link lambdaLogger}. */
export const lambdaLog: Logger = logThrough(lambdaLogger);
