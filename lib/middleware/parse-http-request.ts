import type { MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { z } from 'zod';
import { BadRequestError } from '../errors';
import { describeIssues } from '../zod-issues';

/** An HTTP API event whose path parameters, query and JSON body have been parsed and validated. */
export interface ParsedHttpRequest<P, Q, B, E extends APIGatewayProxyEventV2 = APIGatewayProxyEventV2> {
  path: P;
  query: Q;
  body: B;
  http: E;
}

/** The schemas of one route's request parts. */
export interface RequestSchemas<P extends z.ZodType, Q extends z.ZodType, B extends z.ZodType> {
  path?: P;
  query?: Q;
  body?: B;
}

/**
 * Parses an HTTP API (v2) request's path parameters, query string and JSON body (an empty body
 * counts as `{}`) with zod. Every problem of every part is reported at once in a
 * {@link BadRequestError}, prefixed with the part (`query.limit: …`, `body.note: …`).
 */
export function parseHttpRequest<
  P extends z.ZodType = z.ZodUnknown,
  Q extends z.ZodType = z.ZodUnknown,
  B extends z.ZodType = z.ZodUnknown,
>(schemas: RequestSchemas<P, Q, B>): MiddlewareObj<unknown> {
  return {
    name: 'parseHttpRequest',
    before: (request) => {
      const http = request.event as APIGatewayProxyEventV2;
      const problems: string[] = [];
      const parse = (part: string, schema: z.ZodType | undefined, value: unknown) => {
        if (!schema) return value;
        const result = schema.safeParse(value);
        if (result.success) return result.data;
        problems.push(...describeIssues(result.error).map((problem) => `${part}.${problem}`));
        return undefined;
      };
      let json: unknown = {};
      const raw = http.body ? (http.isBase64Encoded ? Buffer.from(http.body, 'base64').toString('utf8') : http.body) : '';
      if (schemas.body && raw.trim() !== '') {
        try {
          json = JSON.parse(raw);
        } catch {
          problems.push('body: not valid JSON');
        }
      }
      const parsed = {
        path: parse('path', schemas.path, http.pathParameters ?? {}),
        query: parse('query', schemas.query, http.queryStringParameters ?? {}),
        body: problems.includes('body: not valid JSON') ? undefined : parse('body', schemas.body, json),
        http,
      };
      if (problems.length > 0) throw new BadRequestError(problems);
      request.event = parsed;
    },
  };
}

/** A JSON answer of the HTTP API. */
export function json(statusCode: number, body: unknown) {
  return { statusCode, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
}

/** Query-string booleans and numbers arrive as text. */
export const queryInteger = (min: number, max: number, fallback: number) =>
  z.preprocess((value) => (value === undefined ? undefined : Number(value)), z.number().int().min(min).max(max).default(fallback));
