import { z } from 'zod';
import type { RunRequest } from '../ports/run';
import { runScopeSchema } from '../ports/run-scope';
import type { RunTrigger } from '../ports/run-summary';

/** A run id a trigger may name a run by: delivering the same run id again changes nothing and alerts nothing. */
export const runIdSchema = z.string().regex(/^[\w.:-]{1,100}$/);

/** A name a caller gives itself: logged and recorded, never trusted. */
const claimedName = z.string().min(1).max(200);

/**
 * What any trigger may ask of a run, written once: every trigger's envelope is derived from it, so
 * the schedule, `POST /runs`, a direct invoke and the CLI accept the same options by the same rules.
 * Unknown fields are refused, not ignored.
 */
export const runOptionsSchema = z.strictObject({
  /** The as-of time of the run (ISO 8601); default now. */
  asOf: z.iso.datetime({ offset: true }).optional(),
  /** Check everything, record nothing, alert nothing. */
  dryRun: z.boolean().optional(),
  /** Read every user's whole history and rebuild the running totals. */
  rebuild: z.boolean().optional(),
  /** Only these users, assets, checks, venues. */
  scope: runScopeSchema.optional(),
});

/** A parsed set of run options. */
export type RunOptions = z.infer<typeof runOptionsSchema>;

/** The payload of a direct invoke (`sls invoke`, Lambda `Invoke`, the run `POST /runs` queued). */
export const directRunEvent = runOptionsSchema.extend({
  /** A name for the log and the summary, recorded as `claimedBy`: unverified. */
  requestedBy: claimedName.optional(),
  /** Names the run: delivering the same run id again changes nothing and alerts nothing. */
  runId: runIdSchema.optional(),
  /** The person a run queued by `POST /runs` runs for: trusted only when the runs table holds that run queued for them. */
  manualBy: claimedName.optional(),
});

/** `POST /runs` body: the scope's fields at the top level with the other options. Unknown fields are refused, not ignored. */
export const manualRunBody = runScopeSchema.extend(runOptionsSchema.omit({ scope: true }).shape).extend({
  /** Accepted for older clients; the run is recorded under the token's `sub`, never this. */
  requestedBy: claimedName.optional(),
});

/** A parsed `POST /runs` body. */
export type ManualRunBody = z.infer<typeof manualRunBody>;

/**
 * An EventBridge scheduled event: its id traces the run back to it, its time is the run's as-of.
 * Not strict: EventBridge adds fields of its own (`detail-type`, `account`, `resources`…).
 */
export const scheduledEvent = z.object({
  id: z.string().min(1),
  source: z.string(),
  time: runOptionsSchema.shape.asOf,
  /** Set by the weekly schedule: rebuild the running history totals from the whole history. */
  rebuild: runOptionsSchema.shape.rebuild,
});

/** The options a trigger asked for, without those left out or false: a run asked `dryRun: false` is one asked nothing. */
function presentOptions({ asOf, dryRun, rebuild, scope }: RunOptions): RunOptions {
  return { ...(asOf && { asOf }), ...(dryRun && { dryRun }), ...(rebuild && { rebuild }), ...(scope && { scope }) };
}

/**
 * The options of a `POST /runs` body, its top-level scope fields gathered into `scope` (left out
 * when none is given: the whole book) and its `requestedBy` dropped.
 * @example manualRunOptions({ users: ['u1'], dryRun: true, requestedBy: 'x' }) // { dryRun: true, scope: { users: ['u1'] } }
 */
export function manualRunOptions({ requestedBy: _ignored, asOf, dryRun, rebuild, ...scope }: ManualRunBody): RunOptions {
  return presentOptions({ asOf, dryRun, rebuild, ...(Object.keys(scope).length > 0 && { scope }) });
}

/**
 * The run a trigger asks for: every trigger (the schedule, a direct invoke, a run `POST /runs`
 * queued) ends here, so the same options mean the same run whichever way it was started.
 * @example toRunRequest({ dryRun: true }, { type: 'schedule', eventId: 'e1' }, 'schedule-e1') // { runId: 'schedule-e1', trigger, dryRun: true }
 */
export function toRunRequest(options: RunOptions, trigger: RunTrigger, runId: string): RunRequest {
  const { asOf, ...rest } = presentOptions(options);
  return { runId, trigger, ...rest, ...(asOf && { asOf: new Date(asOf) }) };
}
