import { createHash } from 'node:crypto';
import { loadConfig } from '../config';
import type { Logger } from '../log';
import { type Wiring, wire } from '../wiring';
import { lambdaLog } from './lambda-logger';
import type { WiringSource } from './wiring-source';

let built: { wiring: Wiring; fingerprint: string } | undefined;

/**
 * The run functions' wiring (upstream clients and credentials), built (and the configuration validated) on first use.
 * `secrets` fetched from SSM override the environment; when they change (a rotation), the
 * wiring is rebuilt so the new credentials are used.
 */
function container(secrets: Record<string, string> = {}): Wiring {
  const fingerprint = createHash('sha256')
    .update(JSON.stringify(Object.entries(secrets).sort()))
    .digest('hex');
  if (built?.fingerprint !== fingerprint) {
    built = { wiring: wire(loadConfig({ ...process.env, ...secrets }), lambdaLog), fingerprint };
  }
  return built.wiring;
}

/** The run functions' logger (the container's, whether or not the configuration loaded). */
export function containerLog(): Logger {
  return lambdaLog;
}

/** The wiring if this container has built it, without building it (for what runs after any handler). */
function builtWiring(): Wiring | undefined {
  return built?.wiring;
}

/** The run functions' production wiring source: {@link container}, rebuilt when the SSM secrets rotate. */
export const runWiring: WiringSource<Wiring> = { get: container, log: containerLog, built: builtWiring };
