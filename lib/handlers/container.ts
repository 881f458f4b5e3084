import { createHash } from 'node:crypto';
import { loadConfig } from '../config';
import { createLogger, type Logger } from '../log';
import { type Wiring, wire } from '../wiring';

let built: { wiring: Wiring; fingerprint: string } | undefined;
const fallbackLog = createLogger('info');

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
    built = { wiring: wire(loadConfig({ ...process.env, ...secrets })), fingerprint };
  }
  return built.wiring;
}

/** The container's logger, or a default one when the configuration itself failed to load. */
export function containerLog(): Logger {
  return built?.wiring.log ?? fallbackLog;
}
