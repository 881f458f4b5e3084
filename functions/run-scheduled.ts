import middy from '@middy/core';
import { z } from 'zod';
import { builtWiring, containerLog } from '../lib/handlers/container';
import { runFromTrigger } from '../lib/handlers/run-from-trigger';
import { logErrors } from '../lib/middleware/error-response';
import { observe } from '../lib/middleware/observe';
import { parseEvent } from '../lib/middleware/parse-event';
import { secretsFromContext, ssmSecrets, venueCredentialSecrets } from '../lib/middleware/ssm-secrets';

/** An EventBridge scheduled event: its id traces the run back to it, its time is the run's as-of. */
const scheduledEvent = z.object({
  id: z.string().min(1),
  source: z.string(),
  time: z.iso.datetime({ offset: true }).optional(),
  /** Set by the weekly schedule: rebuild the running history totals from the whole history. */
  rebuild: z.boolean().optional(),
});

/** The EventBridge schedule trigger: one full reconciliation run per event. */
export const handler = middy<z.infer<typeof scheduledEvent>>()
  .use(observe(builtWiring))
  .use(logErrors(containerLog))
  .use(parseEvent(scheduledEvent))
  .use(ssmSecrets())
  .use(venueCredentialSecrets())
  .handler(async (event, context) =>
    runFromTrigger(
      { type: 'schedule', eventId: event.id },
      secretsFromContext(context),
      event.time,
      {
        runId: `schedule-${event.id}`,
        ...(event.rebuild && { rebuild: true }),
      },
      context,
    ),
  );
