import { createHash } from 'node:crypto';
import { loadConfig } from '../config';
import type { Logger } from '../log';
import { type Wiring, wire } from '../wiring';
import { defaultLog } from './build-once';

let built: { wiring: Wiring; fingerprint: string } | undefined;

/**
 * The run functions' wiring (upstream clients and credentials), built (and the configuration validated) on first use.
 * `secrets` fetched from SSM override the environment; when they change (a rotation), the
 * wiring is rebuilt so the new credentials are used.
 */
export function container(secrets: Record<string, string> = {}): Wiring {
  const fingerprint = createHash('sha256')
    .update(JSON.stringify(Object.entries(secrets).sort()))
    .digest('hex');
  if (built?.fingerprint !== fingerprint) {
    built = { wiring: wire(loadConfig({ ...process.env, ...secrets })), fingerprint };
  }
  return built.wiring;
}

/** The run functions' logger, or a default one when the configuration itself failed to load. */
export function containerLog(): Logger {
  return built?.wiring.log ?? defaultLog;
}
