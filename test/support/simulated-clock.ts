import type { GateClock } from '../../lib/sources/pacing/request-gate';

/**
 * Virtual time for pacing tests: `sleep` does not wait, it lets pending I/O run for one turn of
 * the event loop and then moves the clock to the earliest sleeper's wake-up time. Code under test
 * sees seconds or minutes pass while the test takes milliseconds. HTTP calls take no simulated
 * time, and a sleeper wakes after one turn even if a call is still in flight — right for code whose
 * calls all pass through one gate, which is what the pacing tests exercise.
 */
export class SimulatedClock implements GateClock {
  private time: number;
  private readonly sleepers: { wake: number; resolve: () => void }[] = [];
  private scheduled = false;

  constructor(readonly start = Date.UTC(2025, 0, 1)) {
    this.time = start;
  }

  now = (): number => this.time;

  /** Simulated milliseconds since the clock was made. */
  elapsed(): number {
    return this.time - this.start;
  }

  sleep = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      // Whole milliseconds, as a real clock reads: upstreams print the time as an integer.
      this.sleepers.push({ wake: this.time + Math.max(0, Math.ceil(ms)), resolve });
      this.wakeNext();
    });

  private wakeNext(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.sleepers.sort((a, b) => a.wake - b.wake);
      const next = this.sleepers.shift();
      if (!next) return;
      this.time = Math.max(this.time, next.wake);
      next.resolve();
      if (this.sleepers.length > 0) this.wakeNext();
    });
  }
}
