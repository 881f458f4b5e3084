import type { RunScope } from './run-scope';
import type { RunTrigger } from './run-summary';

/** What a queued run will do, as the worker receives it. */
export interface QueuedRun {
  runId: string;
  trigger: RunTrigger;
  asOf?: string;
  dryRun?: boolean;
  rebuild?: boolean;
  scope?: RunScope;
}

/** Records a queued run, so `GET /runs/{id}` answers at once. */
export interface RunQueue {
  queueRun(run: {
    runId: string;
    trigger: RunTrigger;
    asOf: string;
    startedAt: string;
    scope?: RunScope;
    dryRun?: boolean;
    rebuild?: boolean;
  }): Promise<void>;
}

/** Hands a queued run to the worker (Lambda asynchronous invoke of the direct-run function). */
export interface RunInvoker {
  invoke(run: QueuedRun): Promise<void>;
}

/**
 * Queues a run for a person and hands it to the worker: `POST /runs` answers 202 with the run id
 * at once, however long the run takes (API Gateway would cut a synchronous answer at 30 s).
 */
export async function queueRun(
  ports: { queue: RunQueue; invoker: RunInvoker; now: () => Date },
  run: QueuedRun,
): Promise<{ runId: string; status: 'queued' }> {
  const now = ports.now();
  await ports.queue.queueRun({
    runId: run.runId,
    trigger: run.trigger,
    asOf: run.asOf ?? now.toISOString(),
    startedAt: now.toISOString(),
    ...(run.scope && { scope: run.scope }),
    ...(run.dryRun && { dryRun: true }),
    ...(run.rebuild && { rebuild: true }),
  });
  await ports.invoker.invoke(run);
  return { runId: run.runId, status: 'queued' };
}
