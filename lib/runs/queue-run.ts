import type { QueuedRun, RunInvoker, RunQueue } from '../ports/run-queue';

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
