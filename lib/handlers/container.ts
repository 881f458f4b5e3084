import { loadConfig } from '../config';
import { createLogger, type Logger } from '../log';
import { type Wiring, wire } from '../wiring';

let wiring: Wiring | undefined;
const fallbackLog = createLogger('info');

/** The wiring of this Lambda container, built (and the configuration validated) on first use. */
export function container(): Wiring {
  wiring ??= wire(loadConfig());
  return wiring;
}

/** The container's logger, or a default one when the configuration itself failed to load. */
export function containerLog(): Logger {
  return wiring?.log ?? fallbackLog;
}
