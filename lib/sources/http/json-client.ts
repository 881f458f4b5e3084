import { parse as parseLossless } from 'lossless-json';
import { Pool, errors as undiciErrors } from 'undici';
import { RetryAfterTooLongError, SourceError } from '../../ports/source-error';
import type { SourceName } from '../../ports/upstream';
import type { EndpointLog } from '../endpoint-log';
import type { RequestGate } from '../pacing/request-gate';
import type { RetryBudget } from '../pacing/retry-budget';
import type { UpstreamPressure } from '../pacing/upstream-pressure';

/** How one upstream is reached: its base URL, how hard to press it, how long to wait. */
export interface JsonClientOptions {
  source: SourceName;
  baseUrl: string;
  /** Open connections (and so concurrent calls) to this upstream at most. */
  concurrency: number;
  /** Per-call limit for the answer's headers and for each pause in its body. */
  timeoutMs: number;
  /** Attempts after the first for retryable failures (timeouts, connection errors, 5xx, 429). */
  retries: number;
  /** First backoff delay; doubles per attempt, capped, with full jitter. */
  backoffMs?: number;
  /** Upper bound on one backoff delay, and on any wait an upstream asks for (`Retry-After`, a held gate). */
  maxBackoffMs?: number;
  /** Notes each endpoint that answered, for source health per endpoint. */
  answered?: Pick<EndpointLog, 'answered'>;
  /** The time the current invocation has left: no wait may outlast it (left out, only `maxBackoffMs` caps). */
  deadline?: { remainingMs(): number | undefined };
  /** Injected for tests; defaults to a timer. */
  sleep?: (ms: number) => Promise<void>;
  /** Paces and serialises calls to a rate-limited upstream; held after a 429. */
  gate?: RequestGate;
  /** Retries left for the whole run, shared by every upstream: no run can turn into a retry storm. */
  retryBudget?: RetryBudget;
  /** Counts the 429s, 418s and retries met, for the run metrics. */
  pressure?: UpstreamPressure;
  /** How long to hold the gate after a 429 without `Retry-After`, and after a ban (418). */
  rateLimitHoldMs?: number;
}

/** One call to an upstream. `endpoint` is the short name used in errors (no ids, no secrets). */
export interface JsonRequest {
  endpoint: string;
  method: 'GET' | 'POST';
  path: string;
  headers?: Record<string, string>;
  body?: unknown;
  /**
   * Parse JSON numbers as their exact decimal text instead of a float64. Needed where an
   * upstream sends money as JSON numbers (back-office `balance`, INDX `wmz`/`price`/`notes`).
   */
  exactNumbers?: boolean;
  /** Paces this call instead of the client's gate (INDX paces each WMID on its own). */
  gate?: RequestGate;
}

/** Counters for a run's source-health report. */
export interface JsonClientStats {
  requests: number;
  retries: number;
  failures: number;
}

/**
 * A keep-alive JSON-over-HTTP client for one upstream: bounded connections, timeouts on every
 * call, retries with capped exponential backoff and jitter for retryable failures only, and
 * errors that name the source and endpoint but never echo headers or bodies.
 */
export class JsonClient {
  readonly stats: JsonClientStats = { requests: 0, retries: 0, failures: 0 };
  private readonly pool: Pool;
  private readonly pathPrefix: string;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(private readonly options: JsonClientOptions) {
    const url = new URL(options.baseUrl);
    this.pathPrefix = url.pathname.replace(/\/+$/, '');
    this.pool = new Pool(url.origin, {
      connections: options.concurrency,
      keepAliveTimeout: 30_000,
      headersTimeout: options.timeoutMs,
      bodyTimeout: options.timeoutMs,
      connectTimeout: options.timeoutMs,
    });
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  /**
   * Sends the request, retrying what may succeed on a second try, and returns the parsed JSON body.
   * A wait asked for (`Retry-After`, or a gate held by one) beyond {@link JsonClient.waitCapMs} fails
   * the call with a {@link RetryAfterTooLongError} instead: neither waited nor sent early.
   */
  async request(request: JsonRequest): Promise<unknown> {
    const { source, retries, backoffMs = 200, maxBackoffMs = 5_000, retryBudget, rateLimitHoldMs = 60_000 } = this.options;
    const gate = request.gate ?? this.options.gate;
    const tooLong = (waitMs: number) => new RetryAfterTooLongError(source, request.endpoint, waitMs, this.waitCapMs());
    for (let attempt = 0; ; attempt++) {
      try {
        return await (gate ? gate.run(() => this.once(request), { maxWaitMs: this.waitCapMs(), tooLong }) : this.once(request));
      } catch (error) {
        const retryAfterMs = error instanceof SourceError ? error.extra.retryAfterMs : undefined;
        if (error instanceof SourceError && error.failure === 'rate-limited' && !(error instanceof RetryAfterTooLongError)) {
          this.options.pressure?.rateLimited(source, error.status === 418 ? 418 : 429);
          // Held for the whole penalty even when this call gives up: no later call may start inside it.
          gate?.holdFor(error.status === 418 ? 5 * rateLimitHoldMs : (retryAfterMs ?? rateLimitHoldMs));
        }
        const asked =
          error instanceof SourceError && error.status === 429 && !(error instanceof RetryAfterTooLongError) ? retryAfterMs : undefined;
        const giveUp = !(error instanceof SourceError) || !error.retryable || attempt >= retries;
        if (!giveUp && asked !== undefined && asked > this.waitCapMs()) {
          this.stats.failures++;
          throw tooLong(asked);
        }
        if (giveUp || (retryBudget && !retryBudget.take())) {
          this.stats.failures++;
          throw error;
        }
        this.stats.retries++;
        this.options.pressure?.retry(source);
        const backoff = Math.random() * Math.min(maxBackoffMs, backoffMs * 2 ** attempt);
        // A gated upstream is already held until Retry-After; the gate spaces the retry.
        await this.sleep(Math.min(this.waitCapMs(), gate ? backoff : Math.max(backoff, asked ?? 0)));
      }
    }
  }

  /** The longest this client waits before a call: its maximum backoff, or less when its invocation has less time left. */
  waitCapMs(): number {
    const left = this.options.deadline?.remainingMs();
    return Math.max(0, Math.min(this.options.maxBackoffMs ?? 5_000, left ?? Number.POSITIVE_INFINITY));
  }

  /** Releases the keep-alive connections. */
  async close(): Promise<void> {
    await this.pool.close();
  }

  private async once(request: JsonRequest): Promise<unknown> {
    const { source } = this.options;
    this.stats.requests++;
    let status: number;
    let text: string;
    let retryAfter: string | string[] | undefined;
    try {
      const answer = await this.pool.request({
        path: `${this.pathPrefix}${request.path}`,
        method: request.method,
        headers: {
          accept: 'application/json',
          ...(request.body === undefined ? {} : { 'content-type': 'application/json' }),
          ...request.headers,
        },
        body: request.body === undefined ? undefined : JSON.stringify(request.body),
      });
      status = answer.statusCode;
      retryAfter = answer.headers['retry-after'];
      text = await answer.body.text();
    } catch (cause) {
      throw transportError(source, request.endpoint, cause);
    }
    if (status === 429 || status === 418) {
      // 418 is MultiMarkets' IP ban for calling during a 429 penalty: never retried.
      throw new SourceError(source, request.endpoint, 'rate-limited', status === 418 ? 'HTTP 418 (banned)' : 'HTTP 429', {
        status,
        retryable: status === 429,
        retryAfterMs: parseRetryAfter(retryAfter),
      });
    }
    if (status >= 400) {
      throw new SourceError(source, request.endpoint, 'http-status', `HTTP ${status}`, {
        status,
        retryable: status >= 500,
      });
    }
    try {
      const body = request.exactNumbers ? parseLossless(text, null, (digits) => digits) : JSON.parse(text);
      this.options.answered?.answered(source, request.endpoint);
      return body;
    } catch (cause) {
      throw new SourceError(source, request.endpoint, 'unparseable', `body is not JSON (${text.length} bytes)`, {
        status,
        retryable: false,
        cause,
      });
    }
  }
}

function transportError(source: SourceName, endpoint: string, cause: unknown): SourceError {
  const timedOut =
    cause instanceof undiciErrors.HeadersTimeoutError ||
    cause instanceof undiciErrors.BodyTimeoutError ||
    cause instanceof undiciErrors.ConnectTimeoutError;
  const detail = cause instanceof Error ? errorCode(cause) : 'unknown';
  return new SourceError(source, endpoint, timedOut ? 'timeout' : 'network', detail, { retryable: true, cause });
}

/** A system error's code (`ECONNREFUSED`), else the error's name: never its message, which may quote a URL. */
function errorCode(error: Error): string {
  return 'code' in error && typeof error.code === 'string' ? error.code : error.name;
}

function parseRetryAfter(value: string | string[] | undefined): number | undefined {
  const text = Array.isArray(value) ? value[0] : value;
  if (text === undefined) return undefined;
  const seconds = Number(text);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(text);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}
