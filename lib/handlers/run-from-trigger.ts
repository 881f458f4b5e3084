import type { Context } from 'aws-lambda';
import type { RunScope } from '../ports/run-scope';
import type { RunSummary, RunTrigger } from '../ports/run-summary';
import { reconcile } from '../runs/reconcile';
import { newRunId } from '../runs/run-id';
import { container } from './container';
import { lambdaDeadline } from './lambda-deadline';

/**
 * Starts one reconciliation run for any trigger: the schedule, a person over HTTP, or a direct
 * invoke all end here, so they behave the same. With the Lambda `context`, a run that runs short of
 * time hands over to the shard worker before the timeout.
 */
export async function runFromTrigger(
  trigger: RunTrigger,
  secrets: Record<string, string> = {},
  asOf?: string,
  options: { runId?: string; dryRun?: boolean; scope?: RunScope; rebuild?: boolean } = {},
  lambda?: Pick<Context, 'getRemainingTimeInMillis'>,
): Promise<RunSummary> {
  const { deps, log } = container(secrets);
  // A run id given by the trigger (the schedule event's id, a retried invoke) makes a second delivery a no-op.
  const runId = options.runId ?? newRunId(deps.ports.clock.now());
  log.appendKeys({ runId });
  log.info('run started', { runId, trigger, asOf, dryRun: options.dryRun ?? false });
  const summary = await reconcile(
    {
      runId,
      trigger,
      ...(asOf && { asOf: new Date(asOf) }),
      ...(options.dryRun && { dryRun: true }),
      ...(options.rebuild && { rebuild: true }),
      ...(options.scope && { scope: options.scope }),
    },
    deps,
    lambda ? lambdaDeadline(lambda, deps.settings.handoverMarginMs) : {},
  );
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
