import middy from '@middy/core';
import { answer } from '../lib/api/answer';
import { runInProgressSchema } from '../lib/api/schemas';
import { type ManualRunBody, manualRunBody, manualRunOptions } from '../lib/handlers/run-options';
import { runQueueContainer } from '../lib/handlers/run-queue-container';
import type { WiringSource } from '../lib/handlers/wiring-source';
import { type AuthorizedHttpEvent, authorize } from '../lib/middleware/authorize';
import { httpErrorResponse } from '../lib/middleware/error-response';
import { observe } from '../lib/middleware/observe';
import { type ParsedHttpRequest, parseHttpRequest } from '../lib/middleware/parse-http-request';
import type { RunTrigger } from '../lib/ports/run-summary';
import type { RunQueueWiring } from '../lib/run-queue-wiring';
import { queueRun } from '../lib/runs/queue-run';
import { newRunId } from '../lib/runs/run-id';

type ManualRunEvent = ParsedHttpRequest<unknown, unknown, ManualRunBody, AuthorizedHttpEvent>;

/** The manual trigger on a wiring (the run queue and the time, nothing upstream). */
export function handlerWith(wiring: WiringSource<Pick<RunQueueWiring, 'clock' | 'runQueue'>>) {
  return middy<ManualRunEvent>()
    .use(observe())
    .use(httpErrorResponse(wiring.log))
    .use(authorize({ access: 'act' }))
    .use(parseHttpRequest({ body: manualRunBody }))
    .handler(async ({ body, http }) => {
      const { clock, runQueue } = wiring.get();
      const trigger: RunTrigger = { type: 'manual', by: http.caller.sub };
      const run = { runId: newRunId(clock.now()), trigger, ...manualRunOptions(body) };
      return answer(202, runInProgressSchema, await queueRun({ ...runQueue, now: () => clock.now() }, run));
    });
}

/** The manual trigger: `POST /runs` queues a run on behalf of a caller with the act role and answers 202 with its id (`GET /runs/{id}` follows it). */
export const handler = handlerWith(runQueueContainer);
