import { z } from 'zod';
import { Amount } from '../domain/money';
import { SourceError } from '../ports/source-error';
import type { SourceName } from '../ports/upstream';
import { formatPath } from '../zod-issues';

/**
 * A decimal amount sent as a string (or, after an exact-number parse, as a number's digits),
 * parsed into an exact {@link Amount} at the boundary.
 */
export const decimalAmount = z.string().transform((text, ctx) => {
  const amount = Amount.tryParse(text);
  if (amount === undefined) {
    ctx.addIssue({ code: 'custom', message: 'expected a decimal number in a string' });
    return z.NEVER;
  }
  return amount;
});

/**
 * Validates an upstream answer against its schema and turns the first problems into a
 * {@link SourceError} naming the field path and what was received — its type, never its value.
 */
export function parseAnswer<S extends z.ZodType>(schema: S, data: unknown, source: SourceName, endpoint: string): z.infer<S> {
  const result = schema.safeParse(data);
  if (result.success) return result.data;
  const problems = result.error.issues.slice(0, 3).map((issue) => {
    const path = issue.path.length === 0 ? '(body)' : formatPath(issue.path);
    return `${path}: ${issue.message}, received ${describe(valueAt(data, issue.path))}`;
  });
  throw new SourceError(source, endpoint, 'schema', problems.join('; '), { retryable: false, cause: result.error });
}

function valueAt(data: unknown, path: readonly PropertyKey[]): unknown {
  let current: unknown = data;
  for (const key of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = Reflect.get(current, key);
  }
  return current;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}
