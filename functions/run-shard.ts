import { z } from 'zod';
import { runWiring } from '../lib/handlers/container';
import { lambdaDeadline } from '../lib/handlers/lambda-deadline';
import { runFunction } from '../lib/handlers/run-function';
import { runIdSchema } from '../lib/handlers/run-options';
import type { WiringSource } from '../lib/handlers/wiring-source';
import { secretsFromContext } from '../lib/middleware/ssm-secrets';
import { reconcileShard } from '../lib/runs/reconcile';
import type { Wiring } from '../lib/wiring';

/** One shard of a fanned-out run (as the coordinator or the shard before it invokes it), or a handed-over run's final phase. */
const shardEvent = z.union([
  z.strictObject({ runId: runIdSchema, shard: z.number().int().min(0).max(100_000) }),
  z.strictObject({ runId: runIdSchema, final: z.literal(true), claim: z.string().uuid().optional() }),
]);

/**
 * The shard worker on a wiring: reconciles its pages from the last checkpoint, hands over to a new
 * invocation `HANDOVER_MARGIN_SECONDS` before the Lambda timeout, and — if it is the last shard to
 * finish, or the final phase handed over — completes the run (its venue reads handing over the same way).
 */
export function handlerWith(wiring: WiringSource<Wiring>) {
  return runFunction(wiring, shardEvent).handler(async (event, context) => {
    const { deps, log } = wiring.get(secretsFromContext(context));
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
}

/** The shard worker: one shard of a fanned-out run, or a handed-over run's final phase. */
export const handler = handlerWith(runWiring);
