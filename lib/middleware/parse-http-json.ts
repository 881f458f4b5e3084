import type { MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type { z } from 'zod';
import { BadRequestError } from '../errors';
import { describeIssues } from '../zod-issues';

/** An HTTP API event whose JSON body has been parsed and validated. */
export interface ParsedHttpEvent<B> {
  body: B;
  http: APIGatewayProxyEventV2;
}

/**
 * Parses an HTTP API (v2) event's JSON body (an empty body counts as `{}`) with a zod schema.
 * Malformed JSON or a body that fails the schema is a {@link BadRequestError} naming each problem.
 */
export function parseHttpJson<S extends z.ZodType>(schema: S): MiddlewareObj<unknown> {
  return {
    name: 'parseHttpJson',
    before: (request) => {
      const http = request.event as APIGatewayProxyEventV2;
      const raw = http.body ? (http.isBase64Encoded ? Buffer.from(http.body, 'base64').toString('utf8') : http.body) : '';
      let json: unknown;
      try {
        json = raw.trim() === '' ? {} : JSON.parse(raw);
      } catch (cause) {
        throw new BadRequestError(['body: not valid JSON'], { cause });
      }
      const result = schema.safeParse(json);
      if (!result.success) throw new BadRequestError(describeIssues(result.error), { cause: result.error });
      request.event = { body: result.data, http } satisfies ParsedHttpEvent<unknown>;
    },
  };
}
