/**
 * The time the current invocation has left, shared by every upstream client of a container: the
 * clients are built once, the invocations come and go. A run (or shard) follows its own deadline
 * as it starts, so no upstream wait — `Retry-After`, a held gate, a backoff — outlasts it.
 *
 * @example
 * const deadline = new CallDeadline();
 * deadline.follow(() => context.getRemainingTimeInMillis());
 * deadline.remainingMs(); // e.g. 899_512
 */
export class CallDeadline {
  private remaining: (() => number) | undefined;

  /** From now on, the time left is `remainingMs()`; `undefined`: no deadline (a local run). */
  follow(remainingMs: (() => number) | undefined): void {
    this.remaining = remainingMs;
  }

  /** Milliseconds left, or `undefined` without a deadline. */
  remainingMs(): number | undefined {
    return this.remaining?.();
  }
}
