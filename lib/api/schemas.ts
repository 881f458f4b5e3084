/**
 * The shapes of the HTTP API's answers: the API's contract. The console, the CLI and the OpenAPI
 * document (`GET /openapi.json`, docs/openapi.json) all read them from here. Loose objects: a field
 * the API adds later passes through untouched (and `--json` prints it); a field a client needs that
 * is missing or mistyped is an error naming it. Amounts stay the exact decimal strings the API sent.
 * The type checks at the end fail the build if the server's types drift from these schemas.
 */
import { z } from 'zod';
import type { DiscrepancyState, LifecycleEvent } from '../domain/lifecycle';
import type { RunSummary } from '../ports/run-summary';
import type { SourceName } from '../ports/upstream';

/** An exact decimal as the API writes it (`"-0.000000000000000001"`): never turned into a number. */
const decimal = z.string();
const count = z.number().int().nonnegative();

/** The severities, in rising order. */
export const SEVERITIES = ['low', 'medium', 'high', 'critical'] as const;
/** The statuses of a discrepancy. */
export const DISCREPANCY_STATUSES = ['open', 'acknowledged', 'resolved'] as const;
/** The sources a run reads, in the order they are shown. */
export const SOURCE_NAMES = ['backoffice', 'reporting', 'multimarkets', 'indx'] as const satisfies readonly SourceName[];
/** The statuses of a finished run. */
export const FINISHED_RUN_STATUSES = ['complete', 'partial', 'failed', 'skipped'] as const;

const severity = z.enum(SEVERITIES);

const discrepancyRefShape = {
  id: z.string(),
  check: z.string(),
  userId: z.string(),
  asset: z.string(),
  field: z.string(),
  expected: decimal,
  actual: decimal,
  difference: decimal,
  severity,
};

const checkTally = z.looseObject({ match: count, mismatch: count, 'in-flight': count, unknown: count });

const sourceHealth = z.looseObject({
  status: z.string(),
  failures: count,
  firstError: z.string().optional(),
  drift: z.array(z.looseObject({ endpoint: z.string(), fields: z.array(z.string()) })).optional(),
});

const venueCoverage = z.looseObject({
  accounts: count,
  checked: count,
  overdue: count,
  oldestCheckedAt: z.string().optional(),
  window: count,
});

/** Count and root-asset value (sum of |differenceInRoot|; `unpriced` counts those without one) of a group of breaks. */
const breakGroup = z.looseObject({ count, value: decimal, unpriced: count });

/** Open and acknowledged breaks per severity and per check: `GET /discrepancies/totals`, and each run summary's `breaks`. */
export const breakTotalsSchema = z.looseObject({
  rootAsset: z.string(),
  bySeverity: z.record(z.string(), breakGroup),
  byCheck: z.record(z.string(), breakGroup),
});
export type BreakTotals = z.infer<typeof breakTotalsSchema>;

const runSummaryShape = {
  runId: z.string(),
  trigger: z.looseObject({ type: z.string(), by: z.string().optional(), eventId: z.string().optional() }),
  asOf: z.string(),
  startedAt: z.string(),
  finishedAt: z.string(),
  status: z.enum(FINISHED_RUN_STATUSES),
  reason: z.string().optional(),
  dryRun: z.boolean().optional(),
  users: count,
  positions: count,
  checks: z.record(z.string(), checkTally),
  sources: z.record(z.string(), sourceHealth.optional()),
  venues: z.looseObject({ multimarkets: venueCoverage.optional(), indx: venueCoverage.optional() }).optional(),
  outsideTotals: z.record(z.string(), z.looseObject({ users: count, amount: decimal })).optional(),
  /** Open and acknowledged breaks after the run (the trends). */
  breaks: breakTotalsSchema.optional(),
  discrepancies: z.looseObject({
    total: count,
    opened: count,
    resolved: count.optional(),
    escalated: count.optional(),
    skipped: count.optional(),
    items: z.array(z.looseObject(discrepancyRefShape)),
    truncated: z.boolean(),
  }),
};

/** A finished run: `GET /runs/{id}` once it is done, or a synchronous `POST /runs` (200). */
export const runSummarySchema = z.looseObject(runSummaryShape);
export type RunSummaryAnswer = z.infer<typeof runSummarySchema>;

/** A run not finished yet: `POST /runs` (202) and `GET /runs/{id}` while it is queued or running. */
export const runInProgressSchema = z.looseObject({
  runId: z.string(),
  status: z.enum(['queued', 'running']),
  progress: z
    .looseObject({
      users: count,
      positions: count,
      discrepancies: count,
      /** Not sent yet by the API: when it is, the bar shows a fraction instead of moving back and forth. */
      totalUsers: count.optional(),
    })
    .optional(),
});
export type RunInProgress = z.infer<typeof runInProgressSchema>;

/** What a run-related call answers: in progress, or finished. */
export const runStateSchema = z.union([runInProgressSchema, runSummarySchema]);
export type RunState = z.infer<typeof runStateSchema>;

/** `GET /runs?limit=&cursor=`: runs newest first, and the cursor of the next page when there is one. */
export const runPageSchema = z.looseObject({ items: z.array(runStateSchema), cursor: z.string().optional() });
export type RunPage = z.infer<typeof runPageSchema>;

/** Whether the run is still going. */
export function inProgress(state: RunState): state is RunInProgress {
  return state.status === 'queued' || state.status === 'running';
}

const discrepancyStateShape = {
  ...discrepancyRefShape,
  evidence: z.record(z.string(), z.string()),
  differenceInRoot: decimal.optional(),
  runId: z.string(),
  detectedAt: z.string(),
  status: z.enum(DISCREPANCY_STATUSES),
  firstSeenAt: z.string(),
  lastSeenAt: z.string(),
  firstRunId: z.string(),
  lastRunId: z.string(),
  runsSeen: count,
  consecutiveRuns: count,
  largestDifference: decimal,
  alerted: z.boolean(),
  acknowledgedBy: z.string().optional(),
  acknowledgedAt: z.string().optional(),
  acknowledgedNote: z.string().optional(),
  resolvedBy: z.string().optional(),
  resolvedAt: z.string().optional(),
  resolvedNote: z.string().optional(),
  /** Who the discrepancy is assigned to (`assign`), by whom, when, with what note. */
  assignedTo: z.string().optional(),
  assignedBy: z.string().optional(),
  assignedAt: z.string().optional(),
  /** A manual resolution of a high or critical discrepancy waiting for a second person (maker-checker). */
  pendingResolution: z.looseObject({ by: z.string(), at: z.string(), note: z.string() }).optional(),
  /** The hash of its latest history entry and how many entries its chain has (tamper-evident history). */
  historyHead: z.string().optional(),
  historyLength: count.optional(),
  version: count,
};

/** A discrepancy with its lifecycle (`lib/domain/lifecycle.ts`). */
export const discrepancyStateSchema = z.looseObject(discrepancyStateShape);
export type DiscrepancyAnswer = z.infer<typeof discrepancyStateSchema>;

const lifecycleEventShape = {
  discrepancyId: z.string(),
  type: z.string(),
  at: z.string(),
  runId: z.string().optional(),
  by: z.string().optional(),
  note: z.string().optional(),
  difference: decimal.optional(),
  severity: severity.optional(),
  /** `assigned`: to whom. */
  assignee: z.string().optional(),
  /** `resolved` on approval: who proposed the resolution (maker-checker). */
  proposedBy: z.string().optional(),
  /** Its place in the discrepancy's chain (1 = the opening), its hash, and the hash of the entry before it. */
  seq: count.optional(),
  hash: z.string().optional(),
  prevHash: z.string().optional(),
};
export const lifecycleEventSchema = z.looseObject(lifecycleEventShape);
export type LifecycleEventAnswer = z.infer<typeof lifecycleEventSchema>;

/** `GET /discrepancies`: a page, and the cursor of the next one when there is one. */
export const discrepancyPageSchema = z.looseObject({ items: z.array(discrepancyStateSchema), cursor: z.string().optional() });
export type DiscrepancyPage = z.infer<typeof discrepancyPageSchema>;

/** Where a history chain stops verifying: the entry (by its place, or the item's head) and why. */
export const chainBreakSchema = z.looseObject({
  discrepancyId: z.string(),
  seq: count.optional(),
  at: z.string().optional(),
  type: z.string().optional(),
  problem: z.string(),
});
export type ChainBreak = z.infer<typeof chainBreakSchema>;

/** Whether a discrepancy's history chain verifies, and if not, its first entry that does not. */
export const chainVerdictSchema = z.looseObject({ verified: z.boolean(), entries: count, firstBroken: chainBreakSchema.optional() });
export type ChainVerdict = z.infer<typeof chainVerdictSchema>;

/** `GET /discrepancies/{id}`: the discrepancy, its history oldest first, and whether that history verifies. */
export const discrepancyDetailSchema = z.looseObject({
  discrepancy: discrepancyStateSchema,
  history: z.array(lifecycleEventSchema),
  chain: chainVerdictSchema.optional(),
});

/** `GET /history/verify?limit=&cursor=`: one page of discrepancies' chains checked, the broken ones named. */
export const historyVerificationPageSchema = z.looseObject({
  checked: count,
  broken: z.array(chainBreakSchema),
  cursor: z.string().optional(),
});
export type HistoryVerificationPage = z.infer<typeof historyVerificationPageSchema>;

export type DiscrepancyDetail = z.infer<typeof discrepancyDetailSchema>;

/** Every error answer of the API: `problems` (400), `problem` (401, 403, 404, 409), `requestId` (500). */
export const errorAnswerSchema = z.looseObject({
  message: z.string().optional(),
  problems: z.array(z.string()).optional(),
  problem: z.string().optional(),
  requestId: z.string().optional(),
});

/** `T` as a plain object type: interfaces become type literals, which index signatures accept. */
type Plain<T> = T extends object ? { [K in keyof T]: Plain<T[K]> } : T;
/** Fails to compile when a value of the server's type `T` would not pass the shape `S`. */
type Accepts<S extends z.core.$ZodShape, T extends z.input<z.ZodObject<S>>> = T;
/** The server's types, checked against the schemas (compile time only). */
export type ServerTypesAccepted = [
  Accepts<typeof discrepancyStateShape, Plain<DiscrepancyState>>,
  Accepts<typeof lifecycleEventShape, Plain<LifecycleEvent>>,
  Accepts<typeof runSummaryShape, Plain<RunSummary & { status: (typeof FINISHED_RUN_STATUSES)[number] }>>,
];

/** `POST /dev/token` (local stage only): a dev token for the console's local sign-in. */
export const devTokenAnswerSchema = z.looseObject({
  token: z.string(),
  sub: z.string(),
  roles: z.array(z.string()),
  expiresAt: z.string(),
});
export type DevTokenAnswer = z.infer<typeof devTokenAnswerSchema>;

/** `GET /console/config.json`: how the console signs people in (OIDC deployed, the dev sign-in locally). */
export const consoleConfigSchema = z.looseObject({
  devSignIn: z.boolean(),
  /** `rolesClaim`: the token claim that holds the roles (AUTH_ROLES_CLAIM), so the console offers only what they allow. */
  oidc: z.looseObject({ issuer: z.string(), clientId: z.string(), scope: z.string(), rolesClaim: z.string().optional() }).optional(),
  roles: z.looseObject({ read: z.string(), act: z.string() }),
});
export type ConsoleConfig = z.infer<typeof consoleConfigSchema>;
