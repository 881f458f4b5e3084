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
  /** Until when a 429 or 418 holds the gate: the upstream's wait, unlike the pacing (our own). */
  private heldUntil = 0;
  private tail: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly intervalMs: number,
    private readonly clock: GateClock = systemClock,
  ) {}

  /**
   * Runs `call` when its turn comes and the pacing allows. With `limit`, a turn held by the upstream
   * (after a 429 or 418) for longer than `maxWaitMs` does not wait and never calls: it fails with
   * `limit.tooLong(held)`. The pacing's own spacing is not limited.
   */
  run<T>(call: () => Promise<T>, limit?: { maxWaitMs: number; tooLong: (waitMs: number) => Error }): Promise<T> {
    const turn = this.tail.then(async () => {
      const wait = this.nextStart - this.clock.now();
      const held = this.heldUntil - this.clock.now();
      if (limit && held > limit.maxWaitMs) throw limit.tooLong(held);
      if (wait > 0) await this.clock.sleep(wait);
      this.nextStart = this.clock.now() + this.intervalMs;
      return call();
    });
    this.tail = turn.catch(() => undefined);
    return turn;
  }

  /** Holds every call that has not started yet for at least `ms` from now. */
  holdFor(ms: number): void {
    this.heldUntil = Math.max(this.heldUntil, this.clock.now() + ms);
    this.nextStart = Math.max(this.nextStart, this.heldUntil);
  }
}

/**
 * One {@link RequestGate} per key, made on first use: an upstream whose limit is per account (INDX,
 * "about 1 call/s per WMID") is paced per account, not as a whole.
 */
export class RequestGates {
  private readonly gates = new Map<string, RequestGate>();

  constructor(
    private readonly intervalMs: number,
    private readonly clock: GateClock = systemClock,
  ) {
    if (!Number.isFinite(intervalMs) || intervalMs < 0) throw new RangeError(`intervalMs must be a finite number ≥ 0, got ${intervalMs}`);
  }

  /** The gate of `key`. */
  of(key: string): RequestGate {
    let gate = this.gates.get(key);
    if (!gate) {
      gate = new RequestGate(this.intervalMs, this.clock);
      this.gates.set(key, gate);
    }
    return gate;
  }
}
