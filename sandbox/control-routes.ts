import type { Book } from './book-types';
import { json, type SandboxResponse } from './http-kit';
import type { JsonValue } from './json-text';
import type { SandboxStats } from './stats';

/** Path prefix of the sandbox's own (non-upstream) routes. */
export const CONTROL_PREFIX = '/__sandbox/';

/** Answers the control routes: manifest, stats, health and the venue-account mapping list. */
export function createControlHandler(
  book: Book,
  stats: SandboxStats,
  resetLimits: () => void,
): (method: string, name: string) => SandboxResponse | undefined {
  return (method, name) => {
    if (method === 'GET' && name === 'manifest') return json(200, book.manifest as unknown as JsonValue);
    if (method === 'GET' && name === 'stats') return json(200, stats.snapshot() as unknown as JsonValue);
    if (method === 'GET' && name === 'health') return json(200, { ok: true });
    if (method === 'GET' && name === 'venue-accounts') return json(200, book.venueMappings as unknown as JsonValue);
    if (method === 'POST' && name === 'reset-rate-limits') {
      resetLimits();
      return json(200, { ok: true });
    }
    return undefined;
  };
}
