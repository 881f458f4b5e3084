import { runWiring } from '../lib/handlers/container';
import { runFromTrigger } from '../lib/handlers/run-from-trigger';
import { runFunction } from '../lib/handlers/run-function';
import { directRunEvent, toRunRequest } from '../lib/handlers/run-options';
import type { WiringSource } from '../lib/handlers/wiring-source';
import { secretsFromContext } from '../lib/middleware/ssm-secrets';
import { directTrigger } from '../lib/runs/direct-trigger';
import { newRunId } from '../lib/runs/run-id';
import type { Wiring } from '../lib/wiring';

/** The direct trigger on a wiring: a Lambda invoke runs a reconciliation and returns its summary. */
export function handlerWith(wiring: WiringSource<Wiring>) {
  return runFunction(wiring, directRunEvent).handler(async (event, context) => {
    const wired = wiring.get(secretsFromContext(context));
    const trigger = await directTrigger(event, wired.queuedRuns);
    // A run id given by the invoke (a retried delivery, a run `POST /runs` queued) makes a second delivery a no-op.
    const runId = event.runId ?? newRunId(wired.deps.ports.clock.now());
    return runFromTrigger(toRunRequest(event, trigger, runId), wired, context);
  });
}

/** The direct trigger: a Lambda invoke runs a reconciliation and returns its summary. */
export const handler = handlerWith(runWiring);
