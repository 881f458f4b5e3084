import type { SourceName } from '../../ports/upstream';
import { type GateClock, RequestGate, systemClock } from '../pacing/request-gate';
import type { RetryBudget } from '../pacing/retry-budget';
import type { UpstreamPressure } from '../pacing/upstream-pressure';
import { JsonClient, type JsonClientOptions } from './json-client';

/** Where a paced upstream is and how patiently it is called; `clock` lets tests run its pacing in simulated time. */
export interface PacedHttpOptions {
  baseUrl: string;
  timeoutMs: number;
  /** Attempts after the first, made by the JsonClient: the one retry layer. */
  retries: number;
  retryBudget?: RetryBudget;
  /** Counts the 429s, 418s and retries met, for the run metrics. */
  pressure?: UpstreamPressure;
  /** Drives both the gate's pacing and the client's backoff sleeps (default: the real clock). */
  clock?: GateClock;
  /** The time the current invocation has left: no wait may outlast it. */
  deadline?: JsonClientOptions['deadline'];
  /** Notes each endpoint that answered, for source health per endpoint. */
  answered?: JsonClientOptions['answered'];
  /**
   * The longest wait a 429 may ask for before a call fails instead (default 60 s, one rate window
   * of MultiMarkets; the invocation's time left caps it too).
   */
  maxWaitMs?: number;
}

/**
 * A {@link JsonClient} for a rate-limited upstream (MultiMarkets, INDX): one connection, every call
 * through one {@link RequestGate} whose starts are `intervalMs` apart, held after a 429.
 */
export function pacedJsonClient(source: SourceName, intervalMs: number, options: PacedHttpOptions): JsonClient {
  if (!Number.isFinite(intervalMs) || intervalMs < 0) throw new RangeError(`intervalMs must be a finite number ≥ 0, got ${intervalMs}`);
  return new JsonClient({ ...pacedClientOptions(source, options), gate: new RequestGate(intervalMs, options.clock ?? systemClock) });
}

/**
 * The {@link JsonClient} options every paced upstream shares: one connection, a `Retry-After` waited
 * at most `maxWaitMs` (default 60 s), sleeps on the pacing clock. Its gate or gates are the caller's.
 */
export function pacedClientOptions(source: SourceName, options: PacedHttpOptions): JsonClientOptions {
  const { baseUrl, timeoutMs, retries, retryBudget, pressure, deadline, answered, maxWaitMs = 60_000, clock = systemClock } = options;
  return {
    source,
    baseUrl,
    concurrency: 1,
    timeoutMs,
    retries,
    retryBudget,
    pressure,
    deadline,
    answered,
    maxBackoffMs: maxWaitMs,
    sleep: (ms) => clock.sleep(ms),
  };
}
