/**
 * The one base class for every error this product throws on purpose. Subclasses set `name`,
 * carry typed fields and chain the `cause`; none of them logs itself — the handler's error
 * middleware decides what a caller or a log sees.
 */
export class ReconError extends Error {
  override readonly name: string = 'ReconError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** Thrown at cold start when an environment variable is missing or malformed; names the variable, never its value. */
export class ConfigError extends ReconError {
  override readonly name = 'ConfigError';
  constructor(
    readonly problems: readonly string[],
    options?: { cause?: unknown },
  ) {
    super(`invalid configuration: ${problems.join('; ')}`, options);
  }
}

/** Thrown when a caller's request (HTTP body, invoke payload) does not match its schema. */
export class BadRequestError extends ReconError {
  override readonly name = 'BadRequestError';
  constructor(
    readonly problems: readonly string[],
    options?: { cause?: unknown },
  ) {
    super(`bad request: ${problems.join('; ')}`, options);
  }
}

/** Thrown when an HTTP caller brings no bearer token, or one that is malformed, wrongly signed, expired, not yet valid or meant for another issuer or audience (401). */
export class UnauthorizedError extends ReconError {
  override readonly name = 'UnauthorizedError';
  constructor(
    /** What is wrong with the credentials, for the caller; never the token itself. */
    readonly problem: string,
    options?: { cause?: unknown },
  ) {
    super(`unauthorized: ${problem}`, options);
  }
}

/** Thrown when a caller's token is valid but lacks the role the action needs (403). */
export class ForbiddenError extends ReconError {
  override readonly name = 'ForbiddenError';
  readonly problem: string;
  constructor(
    /** The caller's `sub`. */
    readonly sub: string,
    /** The role the action needs. */
    readonly role: string,
    options?: { cause?: unknown },
  ) {
    const problem = `the token does not grant the role "${role}"`;
    super(`forbidden: ${problem}`, options);
    this.problem = problem;
  }
}

/** Thrown when a discrepancy changed between read and write (another writer won): the caller reads again. */
export class ConcurrentUpdateError extends ReconError {
  override readonly name = 'ConcurrentUpdateError';
  constructor(readonly id: string) {
    super(`discrepancy ${id} was changed by another writer`);
  }
}

/**
 * Thrown when DynamoDB kept cancelling a discrepancy's write (its item with its history row) for
 * throttling or a conflicting transaction: nothing of it was written, and the same write may be
 * sent again (503 with `Retry-After`).
 */
export class StoreBusyError extends ReconError {
  override readonly name = 'StoreBusyError';
  constructor(
    /** The discrepancies whose writes were not made. */
    readonly ids: readonly string[],
    /** DynamoDB's reasons of the last refusal (`ThrottlingError`, `TransactionConflict`, …). */
    readonly reasons: readonly string[],
    options?: { cause?: unknown },
  ) {
    super(`DynamoDB refused the write of ${ids.length} discrepancy(ies) for now (${reasons.join(', ')}): nothing was written`, options);
  }
}

/**
 * Thrown when a run no longer holds the run lock (it expired and another run took it, or its renewal
 * was refused) as it was about to write: nothing of that write was made, and the run stops.
 */
export class LockLostError extends ReconError {
  override readonly name = 'LockLostError';
  constructor(
    readonly runId: string,
    options?: { cause?: unknown },
  ) {
    super(`run ${runId} no longer holds the run lock`, options);
  }
}

/**
 * Thrown by an alert publisher when a message did not surely go out: `rejected` when SNS answered
 * with an error (it was not published), `unknown` when no answer came (a timeout, a reset
 * connection: it may have been). Either way the alert stays owed in the outbox.
 */
export class AlertNotPublishedError extends ReconError {
  override readonly name = 'AlertNotPublishedError';
  constructor(
    readonly alertId: string,
    readonly outcome: 'rejected' | 'unknown',
    options?: { cause?: unknown },
  ) {
    super(`alert ${alertId} was not published (${outcome === 'rejected' ? 'SNS refused it' : 'no answer: it may have gone out'})`, options);
  }
}
