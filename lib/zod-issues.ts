import type { z } from 'zod';

/** A zod issue path as a reader writes it: `data[3].assetAmount`. */
export function formatPath(path: readonly PropertyKey[]): string {
  return path.map((key, index) => (typeof key === 'number' ? `[${key}]` : `${index === 0 ? '' : '.'}${String(key)}`)).join('');
}

/** One line per problem, naming the field: `userIds[0]: Invalid input: expected string, received number`. */
export function describeIssues(error: z.ZodError, limit = 10): string[] {
  return error.issues.slice(0, limit).map((issue) => `${issue.path.length === 0 ? '(root)' : formatPath(issue.path)}: ${issue.message}`);
}
