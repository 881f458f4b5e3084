import { runWiring } from '../lib/handlers/container';
import { runFromTrigger } from '../lib/handlers/run-from-trigger';
import { runFunction } from '../lib/handlers/run-function';
import { scheduledEvent, toRunRequest } from '../lib/handlers/run-options';
import type { WiringSource } from '../lib/handlers/wiring-source';
import { secretsFromContext } from '../lib/middleware/ssm-secrets';
import type { Wiring } from '../lib/wiring';

/** The EventBridge schedule trigger on a wiring: one full reconciliation run per event. */
export function handlerWith(wiring: WiringSource<Wiring>) {
  return runFunction(wiring, scheduledEvent).handler(async (event, context) => {
    const options = { ...(event.time && { asOf: event.time }), ...(event.rebuild && { rebuild: true }) };
    // The event's id names the run: a second delivery of the same event is a no-op.
    const request = toRunRequest(options, { type: 'schedule', eventId: event.id }, `schedule-${event.id}`);
    return runFromTrigger(request, wiring.get(secretsFromContext(context)), context);
  });
}

/** The EventBridge schedule trigger: one full reconciliation run per event. */
export const handler = handlerWith(runWiring);
