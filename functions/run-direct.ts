import middy from '@middy/core';
import { z } from 'zod';
import { builtWiring, container, containerLog } from '../lib/handlers/container';
import { runFromTrigger } from '../lib/handlers/run-from-trigger';
import { logErrors } from '../lib/middleware/error-response';
import { observe } from '../lib/middleware/observe';
import { parseEvent } from '../lib/middleware/parse-event';
import { secretsFromContext, ssmSecrets, venueCredentialSecrets } from '../lib/middleware/ssm-secrets';
import { runScopeSchema } from '../lib/ports/run-scope';
import { directTrigger } from '../lib/runs/direct-trigger';

/** The payload of a direct invoke (`sls invoke`, Lambda `Invoke`). */
const directRunEvent = z.strictObject({
  /** A name for the log and the summary, recorded as `claimedBy`: unverified. */
  requestedBy: z.string().min(1).max(200).optional(),
  /** The as-of time of the run (ISO 8601); default now. */
  asOf: z.iso.datetime({ offset: true }).optional(),
  /** Names the run: delivering the same run id again changes nothing and alerts nothing. */
  runId: z
    .string()
    .regex(/^[\w.:-]{1,100}$/)
    .optional(),
  /** Check everything, record nothing, alert nothing. */
  dryRun: z.boolean().optional(),
  /** Read every user's whole history and rebuild the running totals. */
  rebuild: z.boolean().optional(),
  /** The person a run queued by `POST /runs` runs for: trusted only when the runs table holds that run queued for them. */
  manualBy: z.string().min(1).max(200).optional(),
  /** Only these users, assets, checks, venues. */
  scope: runScopeSchema.optional(),
});

/** The direct trigger: a Lambda invoke runs a reconciliation and returns its summary. */
export const handler = middy<z.infer<typeof directRunEvent>>()
  .use(observe(builtWiring))
  .use(logErrors(containerLog))
  .use(parseEvent(directRunEvent))
  .use(ssmSecrets())
  .use(venueCredentialSecrets())
  .handler(async (event, context) =>
    runFromTrigger(
      await directTrigger(event, container(secretsFromContext(context)).queuedRuns),
      secretsFromContext(context),
      event.asOf,
      {
        ...(event.runId && { runId: event.runId }),
        ...(event.dryRun && { dryRun: true }),
        ...(event.rebuild && { rebuild: true }),
        ...(event.scope && { scope: event.scope }),
      },
      context,
    ),
  );
