import type { Context } from 'aws-lambda';
import type { RunRequest } from '../ports/run';
import type { RunSummary } from '../ports/run-summary';
import { reconcile } from '../runs/reconcile';
import type { Wiring } from '../wiring';
import { lambdaDeadline } from './lambda-deadline';

/**
 * Starts one reconciliation run for any trigger: the schedule, a person over HTTP, or a direct
 * invoke all end here (their options made a {@link RunRequest} by `toRunRequest`), so they behave
 * the same. With the Lambda `context`, a run that runs short of time hands over to the shard
 * worker before the timeout.
 */
export async function runFromTrigger(
  request: RunRequest,
  { deps, log }: Pick<Wiring, 'deps' | 'log'>,
  lambda?: Pick<Context, 'getRemainingTimeInMillis'>,
): Promise<RunSummary> {
  const { runId, trigger, asOf } = request;
  log.appendKeys({ runId });
  log.info('run started', { runId, trigger, asOf: asOf?.toISOString(), dryRun: request.dryRun ?? false });
  const summary = await reconcile(request, deps, lambda ? lambdaDeadline(lambda, deps.settings.handoverMarginMs) : {});
  const { status, users, positions, checks, sources, discrepancies } = summary;
  if (status === 'running') {
    log.info('run handed to shard workers', { runId, shards: summary.shards });
    return summary;
  }
  log.info('run finished', {
    runId,
    status,
    users,
    positions,
    checks,
    sources,
    discrepancies: discrepancies.total,
    opened: discrepancies.opened,
  });
  return summary;
}
