import { randomBytes } from 'node:crypto';

/**
 * A run id that sorts by start time: `r-20261122T010203Z-3fa9c1d2`. Its own module, so `POST /runs`
 * names a run without importing the run wiring.
 */
export function newRunId(now: Date): string {
  const stamp = now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  return `r-${stamp}-${randomBytes(4).toString('hex')}`;
}
