import type { z } from 'zod';
import { ReconError } from '../errors';

/** A DynamoDB item that does not have the shape its kind is written with (a hand edit, a write by another version): named by its table's key. */
export class MalformedItemError extends ReconError {
  override readonly name = 'MalformedItemError';
  constructor(
    /** The kind of item expected (`run lock`, `shard tally`, `discrepancy`…). */
    readonly kind: string,
    /** The item's key, as stored. */
    readonly key: string,
    readonly problems: readonly string[],
    options?: { cause?: unknown },
  ) {
    super(`malformed ${kind} item ${key}: ${problems.join('; ')}`, options);
  }
}

/**
 * An item read from DynamoDB as its kind's schema says, or {@link MalformedItemError} naming its key:
 * every read of the store goes through here, so no item reaches the code unchecked.
 */
export function parseStored<T>(schema: z.ZodType<T>, kind: string, key: string, item: unknown): T {
  const parsed = schema.safeParse(item);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => `${issue.path.join('.') || '(item)'}: ${issue.message}`);
  throw new MalformedItemError(kind, key, problems, { cause: parsed.error });
}
