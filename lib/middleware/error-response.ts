import type { MiddlewareObj } from '@middy/core';
import { NotFoundError } from '../compliance/compliance-actions';
import { InvalidTransitionError, SameCheckerError } from '../domain/lifecycle';
import { BadRequestError, ConcurrentUpdateError, ForbiddenError, StoreBusyError, UnauthorizedError } from '../errors';
import type { Logger } from '../log';

/** The JSON error answer of the HTTP API. */
function jsonResponse(statusCode: number, body: unknown, headers: Record<string, string> = {}) {
  return { statusCode, headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) };
}

/**
 * Maps errors of an HTTP handler to answers: a caller's mistake is a 400 naming each problem;
 * a missing or invalid token a 401 asking for a bearer token; a token without the role a 403
 * (both logged as warnings, with the caller's `sub` when known, for the audit trail), as is a proposer
 * approving their own resolution (maker-checker); a write
 * DynamoDB kept refusing for now (throttling) a 503 with `Retry-After`, nothing having been written;
 * anything else is logged (name and message, which never carry secrets) and answered with a
 * plain 500 that reveals nothing internal.
 */
export function httpErrorResponse(log: () => Logger): MiddlewareObj {
  return {
    name: 'httpErrorResponse',
    onError: (request) => {
      const { error } = request;
      if (error instanceof BadRequestError) {
        request.response = jsonResponse(400, { message: 'bad request', problems: error.problems });
        return;
      }
      if (error instanceof UnauthorizedError) {
        log().warn('request unauthorized', { problem: error.problem });
        request.response = jsonResponse(401, { message: 'unauthorized', problem: error.problem }, { 'www-authenticate': 'Bearer' });
        return;
      }
      if (error instanceof ForbiddenError) {
        log().warn('request forbidden', { sub: error.sub, role: error.role });
        request.response = jsonResponse(403, { message: 'forbidden', problem: error.problem });
        return;
      }
      if (error instanceof SameCheckerError) {
        log().warn('same person as checker', { sub: error.by, id: error.id });
        request.response = jsonResponse(403, { message: 'forbidden', problem: error.message });
        return;
      }
      if (error instanceof NotFoundError) {
        request.response = jsonResponse(404, { message: 'not found', problem: error.message });
        return;
      }
      if (error instanceof InvalidTransitionError || error instanceof ConcurrentUpdateError) {
        request.response = jsonResponse(409, { message: 'conflict', problem: error.message });
        return;
      }
      if (error instanceof StoreBusyError) {
        log().warn('store busy', { reasons: error.reasons });
        request.response = jsonResponse(503, { message: 'busy', problem: 'nothing was changed: try again' }, { 'retry-after': '1' });
        return;
      }
      log().error('request failed', describeError(error));
      request.response = jsonResponse(500, { message: 'internal error', requestId: request.context.awsRequestId });
    },
  };
}

/**
 * Logs the error of a non-HTTP handler and lets it propagate, so Lambda reports the invocation
 * as failed (and retries it where the trigger does).
 */
export function logErrors(log: () => Logger): MiddlewareObj {
  return {
    name: 'logErrors',
    onError: (request) => {
      log().error('invocation failed', describeError(request.error));
    },
  };
}

/** Name, message and the chain of causes' names and messages. */
function describeError(error: unknown): Record<string, unknown> {
  const chain: string[] = [];
  let current: unknown = error;
  while (current instanceof Error && chain.length < 5) {
    chain.push(`${current.name}: ${current.message.split('\n', 1)[0]}`);
    // middy's internal-value errors (e.g. an SSM parameter that failed) keep their reasons in `cause.data`.
    const reasons = (current.cause as { data?: unknown } | undefined)?.data;
    if (Array.isArray(reasons)) for (const reason of reasons) if (reason instanceof Error) chain.push(`${reason.name}: ${reason.message}`);
    current = current.cause;
  }
  return { error: chain[0] ?? String(error), causes: chain.slice(1) };
}
