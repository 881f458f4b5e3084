/** Runs a task when one of the limit's slots is free; the answer is the task's. */
export type Limit = <T>(task: () => Promise<T>) => Promise<T>;

/**
 * At most `slots` tasks running at once, the others waiting in arrival order. Per-user calls
 * (one back-office `GET …/balance/` per user) start only when a slot frees, so a source that
 * fails trips the circuit breaker after a few calls instead of every queued call timing out.
 *
 * @example
 * const limit = concurrencyLimit(8);
 * await Promise.all(userIds.map((id) => limit(() => port.available(id)))); // never more than 8 at once
 */
export function concurrencyLimit(slots: number): Limit {
  if (!Number.isSafeInteger(slots) || slots < 1) throw new RangeError(`a concurrency limit needs at least one slot, got ${slots}`);
  let running = 0;
  const waiting: (() => void)[] = [];
  // A finished task hands its slot to the next waiting one, so `running` never overshoots.
  const release = () => {
    const next = waiting.shift();
    if (next) next();
    else running--;
  };
  return async <T>(task: () => Promise<T>): Promise<T> => {
    if (running < slots) running++;
    else await new Promise<void>((resume) => waiting.push(resume));
    try {
      return await task();
    } finally {
      release();
    }
  };
}
