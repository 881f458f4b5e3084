import type { RunScope } from './run-scope';
import type { RunSummary, RunTrigger } from './run-summary';
/** Reads a run as `POST /runs` queued it (the runs table). */
export interface QueuedRunLookup {
  getRun(runId: string): Promise<Pick<RunSummary, 'trigger' | 'status'> | undefined>;
}

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
