import { SourceError } from '../ports/source-error';
import type { SourceName } from '../ports/upstream';

/** A source call's outcome as a value: a {@link SourceError} is data here, anything else a bug that propagates. */
export type Settled<T> = { ok: true; value: T } | { ok: false; error: SourceError };

/**
 * Stops calling a source for the rest of a run once `threshold` calls in a row have failed: a
 * source that is down would otherwise cost every remaining batch its timeouts and retries, and
 * keep pressing an upstream that is already in trouble. The skipped calls fail at once with the
 * last error, so their checks become `unknown` just as if they had been tried. A failure that is
 * one account's alone (an INDX trader's own credentials refused or missing) neither counts nor
 * resets the count: it says nothing about the source.
 */
export class CircuitBreaker {
  private readonly consecutive = new Map<SourceName, { failures: number; last?: SourceError }>();

  constructor(private readonly threshold: number) {}

  /** Runs `call` for `source` unless its circuit is open, and settles the outcome. */
  async call<T>(source: SourceName, call: () => Promise<T>): Promise<Settled<T>> {
    const state = this.consecutive.get(source) ?? { failures: 0 };
    if (state.failures >= this.threshold && state.last) {
      const { last } = state;
      return {
        ok: false,
        error: new SourceError(source, last.endpoint, last.failure, `not called: ${state.failures} calls in a row failed`),
      };
    }
    try {
      const value = await call();
      this.consecutive.set(source, { failures: 0 });
      return { ok: true, value };
    } catch (error) {
      if (!(error instanceof SourceError)) throw error;
      if (!error.accountOnly) this.consecutive.set(source, { failures: state.failures + 1, last: error });
      return { ok: false, error };
    }
  }
}
