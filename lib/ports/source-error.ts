import { ReconError } from '../errors';
import type { SourceName } from './upstream';

/** What went wrong with an upstream call, coarse enough to alert on and to decide retries. */
export type SourceFailure =
  | 'timeout'
  | 'network'
  | 'http-status'
  | 'rate-limited'
  | 'unparseable'
  | 'schema'
  | 'upstream-error'
  | 'inconsistent-paging'
  | 'credentials';

/**
 * Thrown by a source adapter when an upstream answer cannot be used: the call failed, timed out,
 * was refused, or its body does not match the documented shape. The message names source,
 * endpoint and (for schema problems) the field and the offending value's type — never a value,
 * a token or a signature.
 */
export class SourceError extends ReconError {
  override readonly name: string = 'SourceError';
  constructor(
    readonly source: SourceName,
    readonly endpoint: string,
    readonly failure: SourceFailure,
    detail: string,
    readonly extra: {
      status?: number;
      retryable?: boolean;
      retryAfterMs?: number;
      cause?: unknown;
      /** `account`: the failure is one account's alone (an INDX trader's own credentials), not the source's. */
      scope?: 'account';
    } = {},
  ) {
    super(`${source} ${endpoint}: ${failure}: ${detail}`, { cause: extra.cause });
  }

  /** Whether repeating the same call may succeed (timeouts, connection errors, 5xx, 429). */
  get retryable(): boolean {
    return this.extra.retryable ?? false;
  }

  /** Whether the failure concerns one account only (its credentials), so says nothing about the source's other accounts. */
  get accountOnly(): boolean {
    return this.extra.scope === 'account';
  }

  /** The HTTP status of the answer, when there was one. */
  get status(): number | undefined {
    return this.extra.status;
  }
}

/**
 * Thrown when an upstream asks (by `Retry-After`, or by a pacing gate it holds) for a wait longer
 * than the caller may give: the client's maximum backoff, or the time its run has left. Waiting would
 * hold the whole run; calling early would break the upstream's terms (MultiMarkets bans the IP). The
 * call fails instead, so its checks are `unknown`.
 */
export class RetryAfterTooLongError extends SourceError {
  override readonly name = 'RetryAfterTooLongError';
  constructor(
    source: SourceName,
    endpoint: string,
    readonly retryAfterMs: number,
    readonly capMs: number,
  ) {
    super(source, endpoint, 'rate-limited', `Retry-After ${Math.ceil(retryAfterMs)} ms is beyond the cap of ${Math.floor(capMs)} ms`, {
      status: 429,
      retryable: false,
      retryAfterMs,
    });
  }
}
