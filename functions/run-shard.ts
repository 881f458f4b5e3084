import middy from '@middy/core';
import { z } from 'zod';
import { builtWiring, container, containerLog } from '../lib/handlers/container';
import { lambdaDeadline } from '../lib/handlers/lambda-deadline';
import { logErrors } from '../lib/middleware/error-response';
import { observe } from '../lib/middleware/observe';
import { parseEvent } from '../lib/middleware/parse-event';
import { secretsFromContext, ssmSecrets, venueCredentialSecrets } from '../lib/middleware/ssm-secrets';
import { reconcileShard } from '../lib/runs/reconcile';

const runId = z.string().regex(/^[\w.:-]{1,100}$/);

/** One shard of a fanned-out run (as the coordinator or the shard before it invokes it), or a handed-over run's final phase. */
const shardEvent = z.union([
  z.strictObject({ runId, shard: z.number().int().min(0).max(100_000) }),
  z.strictObject({ runId, final: z.literal(true), claim: z.string().uuid().optional() }),
]);

/**
 * The shard worker: reconciles its pages from the last checkpoint, hands over to a new invocation
 * `HANDOVER_MARGIN_SECONDS` before the Lambda timeout, and — if it is the last shard to finish, or
 * the final phase handed over — completes the run (its venue reads handing over the same way).
 */
export const handler = middy<z.infer<typeof shardEvent>>()
  .use(observe(builtWiring))
  .use(logErrors(containerLog))
  .use(parseEvent(shardEvent))
  .use(ssmSecrets())
  .use(venueCredentialSecrets())
  .handler(async (event, context) => {
    const { deps, log } = container(secretsFromContext(context));
    const { runState, invoker } = deps.ports;
    if (!runState || !invoker) throw new Error('SHARD_FUNCTION_NAME is required for shard workers');
    log.appendKeys({ runId: event.runId, shard: 'shard' in event ? event.shard : 'final' });
    log.info('shard started');
    const summary = await reconcileShard(
      event,
      { ...deps, ports: { ...deps.ports, runState, invoker } },
      lambdaDeadline(context, deps.settings.handoverMarginMs),
    );
    if (summary)
      log.info('run finished', {
        runId: summary.runId,
        status: summary.status,
        users: summary.users,
        discrepancies: summary.discrepancies.total,
      });
    return summary ?? { ...event, status: 'shard-done' };
  });
