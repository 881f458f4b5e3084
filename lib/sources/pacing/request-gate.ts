/** The time source and timer of a gate, injected so tests can use a simulated clock. */
export interface GateClock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

/** The real clock. */
export const systemClock: GateClock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/**
 * Serialises calls to a rate-limited upstream and spaces their starts at least `intervalMs`
 * apart; after a 429 it holds every later call until the upstream's `Retry-After` has passed.
 * One call at a time means no request can be in flight when a 429 arrives, so none is ever sent
 * inside the penalty window (which is what turns a 429 into a 418 ban on MultiMarkets).
 */
export class RequestGate {
  private nextStart = 0;
  private tail: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly intervalMs: number,
    private readonly clock: GateClock = systemClock,
  ) {}

  /** Runs `call` when its turn comes and the pacing allows. */
  run<T>(call: () => Promise<T>): Promise<T> {
    const turn = this.tail.then(async () => {
      const wait = this.nextStart - this.clock.now();
      if (wait > 0) await this.clock.sleep(wait);
      this.nextStart = this.clock.now() + this.intervalMs;
      return call();
    });
    this.tail = turn.catch(() => undefined);
    return turn;
  }

  /** Holds every call that has not started yet for at least `ms` from now. */
  holdFor(ms: number): void {
    this.nextStart = Math.max(this.nextStart, this.clock.now() + ms);
  }
}
