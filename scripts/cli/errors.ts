import { ReconError } from '../../lib/errors';

/** Thrown before any call when a flag or argument is wrong: each problem names the flag and, for a closed set, the allowed values. */
export class UsageError extends ReconError {
  override readonly name = 'UsageError';
  constructor(readonly problems: readonly string[]) {
    super(`invalid arguments: ${problems.join('; ')}`);
  }
}

/**
 * Thrown when the API answered, but not with what was asked: an error status (with the
 * `problems` of a 400, the `problem` of a 401/403/404/409, the `requestId` of a 500), or a
 * success whose body does not have the documented shape (then `problems` names each field).
 */
export class ApiError extends ReconError {
  override readonly name = 'ApiError';
  constructor(
    /** `GET /runs/r-1`: which call, never its headers. */
    readonly call: string,
    readonly status: number,
    readonly problems: readonly string[],
    readonly extra: { message?: string; requestId?: string; unexpectedShape?: boolean } = {},
  ) {
    super(
      extra.unexpectedShape
        ? `${call} answered ${status} with an unexpected body: ${problems.join('; ')}`
        : `${call} answered ${status}${problems.length > 0 ? `: ${problems.join('; ')}` : ''}`,
    );
  }

  /** Whether asking again later may succeed: the server or a gateway in front of it failed. */
  get transient(): boolean {
    return this.status >= 500 && !this.extra.unexpectedShape;
  }
}

/** Thrown when no answer came: the connection was refused or reset, the name did not resolve, or the call timed out. */
export class ApiUnreachableError extends ReconError {
  override readonly name = 'ApiUnreachableError';
  constructor(
    readonly call: string,
    readonly baseUrl: string,
    /** `ECONNREFUSED`, `ENOTFOUND`, `timeout`…: what the network said. */
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super(`${call}: cannot reach the API at ${baseUrl} (${reason})`, options);
  }
}

/** Thrown when a run is still going when `--wait` runs out: the run goes on on the server. */
export class RunTimeoutError extends ReconError {
  override readonly name = 'RunTimeoutError';
  constructor(
    readonly runId: string,
    readonly waitedSeconds: number,
    readonly lastStatus: string,
  ) {
    super(`run ${runId} is still ${lastStatus} after ${waitedSeconds} s; it goes on on the server`);
  }
}

/**
 * The lines a person reads for an error: what failed and what to do next. A token never appears:
 * no error here carries one.
 */
export function describeError(error: unknown, hints: { local: boolean }): string[] {
  if (error instanceof UsageError) {
    return error.problems.length === 1
      ? [`error: ${error.problems[0]}`]
      : ['error: invalid arguments', ...error.problems.map((problem) => `  ${problem}`)];
  }
  if (error instanceof ApiError) {
    const what = error.extra.unexpectedShape ? ' with an unexpected body' : error.extra.message ? ` (${error.extra.message})` : '';
    const lines = [`error: ${error.call} answered ${error.status}${what}`];
    lines.push(...error.problems.map((problem) => `  ${problem}`));
    if (error.extra.requestId) lines.push(`  request id: ${error.extra.requestId} (quote it to whoever reads the API's logs)`);
    if (error.status === 401) {
      lines.push(
        hints.local
          ? '  the token was refused: pass --token or set RECON_TOKEN, or leave both unset to sign a local one with AUTH_DEV_KEY'
          : '  the token was refused: pass a valid one with --token or RECON_TOKEN',
      );
    }
    if (error.status === 403)
      lines.push('  the token is valid but lacks the role this call needs (the read role to look, the act role to act or start a run)');
    return lines;
  }
  if (error instanceof ApiUnreachableError) {
    return [
      `error: cannot reach the API at ${error.baseUrl} (${error.reason}) for ${error.call}`,
      hints.local
        ? '  is the local stack running? Start it with `npm start` (or point RECON_API_URL at the API)'
        : '  check RECON_API_URL and the network',
    ];
  }
  if (error instanceof RunTimeoutError) {
    return [`error: ${error.message}`, `  its summary will be at GET /runs/${error.runId}; next time, wait longer with --wait <seconds>`];
  }
  return [`error: ${error instanceof Error ? error.message : String(error)}`];
}
