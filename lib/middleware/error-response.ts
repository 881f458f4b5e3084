import type { MiddlewareObj } from '@middy/core';
import { BadRequestError } from '../errors';
import type { Logger } from '../log';

/** The JSON error answer of the HTTP API. */
function jsonResponse(statusCode: number, body: unknown) {
  return { statusCode, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
}

/**
 * Maps errors of an HTTP handler to answers: a caller's mistake is a 400 naming each problem;
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
