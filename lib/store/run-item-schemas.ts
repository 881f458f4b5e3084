import { z } from 'zod';
import { CHECK_IDS } from '../domain/check-id';
import { runScopeSchema } from '../ports/run-scope';
import type { AssetSums, EffectsTally, LateSignups, ListingCursor, RunPlan, ShardTally } from '../ports/run-state';
import type { DiscrepancyRef, RunSummary, RunTrigger, SourceHealth } from '../ports/run-summary';
import type { VenueCoverage, VenuePhaseProgress } from '../ports/venues';

/*
 * The schemas of what the runs table keeps as JSON (a run's summary, its plan, a shard's tally): each
 * annotated with the type the run code uses, so a field added to the type without its schema fails to
 * compile. Objects are loose: a field this version does not know is kept, as it was before these reads were checked.
 */

/** The four sources, as the run summary and source states name them. */
export const SOURCE_NAMES = ['backoffice', 'reporting', 'multimarkets', 'indx'] as const;
/** A severity, as every stored item names it. */
export const severitySchema = z.enum(['low', 'medium', 'high', 'critical']);
const sourceSchema = z.enum(SOURCE_NAMES);
const checkIdSchema = z.enum(CHECK_IDS);
const driftSchema = z.array(z.looseObject({ endpoint: z.string(), fields: z.array(z.string()) }));

const triggerSchema: z.ZodType<RunTrigger> = z.looseObject({
  type: z.enum(['schedule', 'manual', 'direct']),
  by: z.string().optional(),
  eventId: z.string().optional(),
  claimedBy: z.string().optional(),
});

const checkTallySchema = z.looseObject({ match: z.number(), mismatch: z.number(), 'in-flight': z.number(), unknown: z.number() });
/** The tallies per check; a check added after the item was stored reads as never run (all zero), not as a malformed item. */
const checksSchema = z.preprocess(
  (stored) =>
    stored && typeof stored === 'object'
      ? { ...Object.fromEntries(CHECK_IDS.map((id) => [id, { match: 0, mismatch: 0, 'in-flight': 0, unknown: 0 }])), ...stored }
      : stored,
  z.record(checkIdSchema, checkTallySchema),
);

const sourceHealthSchema: z.ZodType<SourceHealth> = z.looseObject({
  status: z.enum(['ok', 'degraded', 'unavailable']),
  failures: z.number(),
  firstError: z.string().optional(),
  drift: driftSchema.optional(),
  failingEndpoints: z.array(z.string()).optional(),
  answeredEndpoints: z.array(z.string()).optional(),
});
const sourcesSchema = z.partialRecord(sourceSchema, sourceHealthSchema);

/** The fields of a discrepancy a summary names it by: the start of a stored discrepancy too (`discrepancy-items.ts`). */
export const discrepancyRefObject = z.looseObject({
  id: z.string(),
  check: checkIdSchema,
  userId: z.string(),
  asset: z.string(),
  field: z.string(),
  expected: z.string(),
  actual: z.string(),
  difference: z.string(),
  severity: severitySchema,
});
const discrepancyRefSchema: z.ZodType<DiscrepancyRef> = discrepancyRefObject;

const venueCoverageSchema: z.ZodType<VenueCoverage> = z.looseObject({
  accounts: z.number(),
  checked: z.number(),
  overdue: z.number(),
  oldestCheckedAt: z.string().optional(),
  window: z.number(),
});

const listingRangeSchema = z.looseObject({ from: z.string().optional(), until: z.string().optional() });
const assetSumsSchema: z.ZodType<AssetSums> = z.record(z.string(), z.looseObject({ total: z.string(), users: z.number() }));
const uncheckedSchema = z.looseObject({
  count: z.number(),
  users: z.array(z.string()),
  listing: z.array(z.looseObject({ from: z.string().optional(), to: z.string() })),
});

/** A run's record as `GET /runs/{id}` shows it: a summary, or the `queued`/`running` record before one. */
/** Users verified and carried in a run (its summary's and its tallies'). */
const verificationSchema = z.looseObject({
  verifiedUsers: z.number(),
  carriedUsers: z.number(),
  perCheck: z.record(z.string(), z.looseObject({ verified: z.number(), carried: z.number() })),
  oldestVerifiedAt: z.string().optional(),
});
export const runSummarySchema: z.ZodType<RunSummary> = z.looseObject({
  runId: z.string(),
  trigger: triggerSchema,
  asOf: z.string(),
  startedAt: z.string(),
  finishedAt: z.string(),
  status: z.enum(['complete', 'partial', 'failed', 'skipped', 'queued', 'running']),
  scope: runScopeSchema.optional(),
  alerts: z.looseObject({ published: z.number(), owed: z.number() }).optional(),
  progress: z.looseObject({ users: z.number(), positions: z.number(), discrepancies: z.number() }).optional(),
  reason: z.string().optional(),
  dryRun: z.boolean().optional(),
  users: z.number(),
  positions: z.number(),
  checks: checksSchema,
  sources: sourcesSchema,
  venues: z.looseObject({ multimarkets: venueCoverageSchema.optional(), indx: venueCoverageSchema.optional() }).optional(),
  unchecked: uncheckedSchema.optional(),
  shards: z.number().optional(),
  history: z.looseObject({ rows: z.number(), incrementalUsers: z.number(), rebuild: z.boolean() }).optional(),
  verification: verificationSchema.optional(),
  outsideTotals: z.record(z.string(), z.looseObject({ users: z.number(), amount: z.string() })).optional(),
  discrepancies: z.looseObject({
    total: z.number(),
    opened: z.number(),
    openedBySeverity: z.partialRecord(severitySchema, z.number()).optional(),
    resolved: z.number().optional(),
    escalated: z.number().optional(),
    skipped: z.number().optional(),
    items: z.array(discrepancyRefSchema),
    truncated: z.boolean(),
  }),
});

/** A run `POST /runs` queued (or a run started before its summary): what the direct trigger reads of it. */
export const runRecordSchema = z.looseObject({
  runId: z.string(),
  trigger: triggerSchema,
  status: z.enum(['complete', 'partial', 'failed', 'skipped', 'queued', 'running']),
});

const lateSignupsSchema: z.ZodType<LateSignups> = z.union([
  z.looseObject({ users: z.number(), sums: assetSumsSchema }),
  z.looseObject({ unknown: z.string() }),
]);

/** A fanned-out run's plan, as `savePlan` stored it. */
export const runPlanSchema: z.ZodType<RunPlan> = z.looseObject({
  runId: z.string(),
  trigger: triggerSchema,
  asOf: z.string(),
  startedAt: z.string(),
  dryRun: z.boolean(),
  rebuild: z.boolean(),
  scope: runScopeSchema.optional(),
  pageSize: z.number(),
  askedPageSize: z.number(),
  totalUsers: z.number(),
  assets: z.array(z.looseObject({ assetId: z.string(), scale: z.number(), total: z.string() })),
  late: lateSignupsSchema.optional(),
  shards: z.array(listingRangeSchema.extend({ firstPage: z.number(), endPage: z.number().optional() })),
  answered: z.array(z.looseObject({ source: sourceSchema, endpoint: z.string() })).optional(),
});

const listingCursorSchema: z.ZodType<ListingCursor> = z.looseObject({
  from: z.string().optional(),
  seen: z.array(z.string()),
  page: z.number(),
});

const effectsSchema: z.ZodType<EffectsTally> = z.looseObject({
  opened: z.number(),
  reopened: z.number(),
  openedBySeverity: z.partialRecord(severitySchema, z.number()).optional(),
  escalated: z.number(),
  resolved: z.number(),
  skipped: z.number().optional(),
});

const venuePhaseSchema: z.ZodType<VenuePhaseProgress> = z.looseObject({
  startedAt: z.string(),
  read: z.array(z.string()),
  answered: z.array(z.string()),
  coverage: venueCoverageSchema.optional(),
});

/** A shard's checkpoint (or the final phase's), as `saveTally` stored it. */
export const shardTallySchema: z.ZodType<ShardTally> = z.looseObject({
  nextPage: z.number(),
  cursor: listingCursorSchema.nullable().optional(),
  listed: z.number().optional(),
  unchecked: uncheckedSchema.optional(),
  done: z.boolean(),
  users: z.number(),
  positions: z.number(),
  discrepancies: z.number(),
  historyRows: z.number(),
  incrementalUsers: z.number(),
  verification: verificationSchema.optional(),
  checks: checksSchema,
  items: z.array(discrepancyRefSchema),
  assetSums: assetSumsSchema,
  assetSumsComplete: z.boolean(),
  outsideSums: assetSumsSchema,
  rates: z.record(z.string(), z.string()),
  sources: sourcesSchema,
  listingMoved: z.array(z.string()),
  effects: effectsSchema,
  venueProgress: z.partialRecord(z.enum(['multimarkets', 'indx']), venuePhaseSchema).optional(),
});
