import type { Context } from 'aws-lambda';
import type { ShardControl } from '../ports/run';

/**
 * When a run's invocation must hand over: the Lambda's own remaining time, less the configured
 * margin. Built here so the use cases take the deadline as a port (tests pass a short simulated one).
 */
export function lambdaDeadline(context: Pick<Context, 'getRemainingTimeInMillis'>, marginMs: number | undefined): ShardControl {
  return { remainingMs: () => context.getRemainingTimeInMillis(), ...(marginMs !== undefined && { marginMs }) };
}
