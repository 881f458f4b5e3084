import middy from '@middy/core';
import { z } from 'zod';
import { container, containerLog } from '../lib/handlers/container';
import { logErrors } from '../lib/middleware/error-response';
import { observe } from '../lib/middleware/observe';
import { parseEvent } from '../lib/middleware/parse-event';
import { secretsFromContext, ssmSecrets, venueCredentialSecrets } from '../lib/middleware/ssm-secrets';
import { reconcileShard } from '../lib/runs/reconcile';

/** One shard of a fanned-out run, as the coordinator (or the shard before it) invokes it. */
const shardEvent = z.strictObject({
  runId: z.string().regex(/^[\w.:-]{1,100}$/),
  shard: z.number().int().min(0).max(100_000),
});

/**
 * The shard worker: reconciles its pages from the last checkpoint, hands over to a new invocation
 * two minutes before the Lambda timeout, and — if it is the last shard to finish — completes the run.
 */
export const handler = middy<z.infer<typeof shardEvent>>()
  .use(observe())
  .use(logErrors(containerLog))
  .use(parseEvent(shardEvent))
  .use(ssmSecrets())
  .use(venueCredentialSecrets())
  .handler(async (event, context) => {
    const { deps, log } = container(secretsFromContext(context));
    if (!deps.runState || !deps.shards?.invoker) throw new Error('SHARD_FUNCTION_NAME is required for shard workers');
    log.appendKeys({ runId: event.runId, shard: event.shard });
    log.info('shard started');
    const summary = await reconcileShard(
      event,
      { ...deps, runState: deps.runState, shards: { ...deps.shards, invoker: deps.shards.invoker } },
      {
        remainingMs: () => context.getRemainingTimeInMillis(),
      },
    );
    if (summary)
      log.info('run finished', {
        runId: summary.runId,
        status: summary.status,
        users: summary.users,
        discrepancies: summary.discrepancies.total,
      });
    return summary ?? { runId: event.runId, shard: event.shard, status: 'shard-done' };
  });
