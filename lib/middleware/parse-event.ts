import type { MiddlewareObj } from '@middy/core';
import type { z } from 'zod';
import { BadRequestError } from '../errors';
import { describeIssues } from '../zod-issues';

/**
 * Validates the raw Lambda event with a zod schema and hands the parsed value to the handler,
 * so the handler's event type is `z.infer<typeof schema>`. A mismatch is a {@link BadRequestError}
 * naming each field.
 */
export function parseEvent<S extends z.ZodType>(schema: S): MiddlewareObj<unknown> {
  return {
    name: 'parseEvent',
    before: (request) => {
      const result = schema.safeParse(request.event);
      if (!result.success) throw new BadRequestError(describeIssues(result.error), { cause: result.error });
      request.event = result.data;
    },
  };
}
