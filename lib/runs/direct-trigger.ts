import type { QueuedRunLookup } from '../ports/run-queue';
import type { RunTrigger } from '../ports/run-summary';

/** What a direct invoke says about who started it: nothing in it is verified. */
export interface DirectInvokeClaims {
  runId?: string | undefined;
  requestedBy?: string | undefined;
  manualBy?: string | undefined;
}

/**
 * The trigger a direct invoke is recorded under. A run `POST /runs` queued (or started, on a
 * retried delivery) for the person the invoke names keeps the trigger the API stored: `manual` by
 * the token's verified `sub`. Anything else is a `direct` invoke by `invoke` (whoever IAM let
 * call the function), and any name it was given is kept as `claimedBy`, unverified: an invoke
 * cannot make a run look like someone's by naming them.
 * @example await directTrigger({ manualBy: 'alice' }, runs) // { type: 'direct', by: 'invoke', claimedBy: 'alice' }
 */
export async function directTrigger(claims: DirectInvokeClaims, runs: QueuedRunLookup): Promise<RunTrigger> {
  const claimed = claims.manualBy ?? claims.requestedBy;
  if (claims.manualBy !== undefined && claims.runId !== undefined) {
    const stored = await runs.getRun(claims.runId);
    const queuedByApi = stored?.trigger.type === 'manual' && (stored.status === 'queued' || stored.status === 'running');
    if (queuedByApi && stored.trigger.by === claims.manualBy) return { type: 'manual', by: claims.manualBy };
  }
  return { type: 'direct', by: 'invoke', ...(claimed !== undefined && { claimedBy: claimed }) };
}
