import middy from '@middy/core';
import { z } from 'zod';
import { runQueueContainer, runQueueContainerLog } from '../lib/handlers/run-queue-container';
import { type AuthorizedHttpEvent, authorize } from '../lib/middleware/authorize';
import { httpErrorResponse } from '../lib/middleware/error-response';
import { observe } from '../lib/middleware/observe';
import { json, type ParsedHttpRequest, parseHttpRequest } from '../lib/middleware/parse-http-request';
import { runScopeSchema } from '../lib/ports/run-scope';
import { queueRun } from '../lib/runs/queue-run';
import { newRunId } from '../lib/runs/run-id';

/** `POST /runs` body: the scope (all optional), a dry run, an as-of. Unknown fields are refused, not ignored. */
const manualRunBody = runScopeSchema.extend({
  /** Accepted for older clients; the run is recorded under the token's `sub`, never this. */
  requestedBy: z.string().min(1).max(200).optional(),
  /** The as-of time of the run (ISO 8601); default now. */
  asOf: z.iso.datetime({ offset: true }).optional(),
  /** Check everything, record nothing, alert nothing. */
  dryRun: z.boolean().optional(),
  /** Read every user's whole history and rebuild the running totals. */
  rebuild: z.boolean().optional(),
});

type ManualRunEvent = ParsedHttpRequest<unknown, unknown, z.infer<typeof manualRunBody>, AuthorizedHttpEvent>;

/** The manual trigger: `POST /runs` queues a run on behalf of a caller with the act role and answers 202 with its id (`GET /runs/{id}` follows it). */
export const handler = middy<ManualRunEvent>()
  .use(observe())
  .use(httpErrorResponse(runQueueContainerLog))
  .use(authorize({ access: 'act' }))
  .use(parseHttpRequest({ body: manualRunBody }))
  .handler(async ({ body, http }) => {
    const { clock, runQueue } = runQueueContainer();
    const { requestedBy: _ignored, asOf, dryRun, rebuild, ...scope } = body;
    const queued = await queueRun(
      { ...runQueue, now: () => clock.now() },
      {
        runId: newRunId(clock.now()),
        trigger: { type: 'manual', by: http.caller.sub },
        ...(asOf && { asOf }),
        ...(dryRun && { dryRun }),
        ...(rebuild && { rebuild }),
        ...(Object.keys(scope).length > 0 && { scope }),
      },
    );
    return json(202, queued);
  });
