import { createHash } from 'node:crypto';
import { loadConfig } from '../config';
import { type Logger, logLevelOf, logThrough, powertoolsLogger } from '../log';
import { type Wiring, wire } from '../wiring';

let built: { wiring: Wiring; fingerprint: string } | undefined;

/**
 * The container's one Powertools logger, at `LOG_LEVEL`: the handlers' `injectLambdaContext`
 * middleware adds each invocation's context to it before the configuration is even read, and the
 * wiring logs through it.
 */
export const lambdaLogger = powertoolsLogger(logLevelOf(process.env.LOG_LEVEL));
const log = logThrough(lambdaLogger);

/**
 * The wiring of this Lambda container, built (and the configuration validated) on first use.
 * `secrets` fetched from SSM override the environment; when they change (a rotation), the
 * wiring is rebuilt so the new credentials are used.
 */
export function container(secrets: Record<string, string> = {}): Wiring {
  const fingerprint = createHash('sha256')
    .update(JSON.stringify(Object.entries(secrets).sort()))
    .digest('hex');
  if (built?.fingerprint !== fingerprint) {
    built = { wiring: wire(loadConfig({ ...process.env, ...secrets }), log), fingerprint };
  }
  return built.wiring;
}

/** The container's logger. */
export function containerLog(): Logger {
  return log;
}

/** The wiring if this container has built it, without building it (for what runs after any handler). */
export function builtWiring(): Wiring | undefined {
  return built?.wiring;
}
