import { z } from 'zod';
import { LockLostError } from '../errors';
import type { RunPlan, ShardTally } from '../ports/run-state';
import type { RunSummary } from '../ports/run-summary';
import type { StoredSourceState } from '../ports/store';
import type { SourceName } from '../ports/upstream';
import type { VenueSource } from '../ports/venues';
import { cancellationReasons } from './batch';
import { runPlanSchema, runRecordSchema, runSummarySchema, SOURCE_NAMES, shardTallySchema } from './run-item-schemas';
import { MalformedItemError, parseStored } from './stored-item';

/*
 * The runs table (docs/data-model.md) holds items of several kinds under one key, `runId`. This module alone
 * spells their keys and parses them: a run's record under its own id, the run lock, a fanned-out run's plan and
 * its shards' checkpoints, each source's health, and the venue-check log's buckets.
 */

/** The key of a runs-table item. */
export type RunsKey = { runId: string };

/** A run's record (queued, running, then its summary): keyed by the run's own id. */
export const runKey = (runId: string): RunsKey => ({ runId });
/**
 * The attribute only a run's record carries: the partition of the `by-time` index, whose sort key is the run's
 * `startedAt`, so runs are listed newest first by a Query (`GET /runs`) and never the lock, plans, shards, sources
 * or venue buckets that share the table. A record written before the index existed has no `kind` and is not listed
 * until it is written again.
 */
export const RUN_KIND = { kind: 'run' } as const;
/** The index runs are listed by, newest first. */
export const RUNS_BY_TIME = 'by-time';

/** A run's record as stored: its fields, with the attribute that lists it in {@link RUNS_BY_TIME}. */
export function runItem<T extends { runId: string; startedAt: string }>(run: T): T & typeof RUN_KIND {
  return { ...run, ...RUN_KIND };
}

/** The one run lock: whoever holds it runs; a run's writes are fenced by it. */
export const LOCK_KEY: RunsKey = { runId: 'lock#runs' };
/** A fanned-out run's plan, with its claim counter, finished shards and phase claims. */
export const planKey = (runId: string): RunsKey => ({ runId: `plan#${runId}` });
/** One shard's checkpoint (the final phase's is the shard after the last). */
export const shardKey = (runId: string, shard: number): RunsKey => ({ runId: `shard#${runId}#${shard}` });
/** What the last runs left of a source's health. */
export const sourceKey = (source: SourceName): RunsKey => ({ runId: `source#${source}` });
/** One bucket of a venue's check log. */
export const venueCheckKey = (venue: VenueSource, bucket: number): RunsKey => ({ runId: `venuecheck#${venue}#${bucket}` });

/** Every source whose health is kept, in the order they are read. */
export const SOURCES: readonly SourceName[] = SOURCE_NAMES;

/** A run queued by `POST /runs` or running, before its summary replaces the record. */
const pendingRunSchema = runRecordSchema.extend({ asOf: z.string(), startedAt: z.string(), status: z.enum(['queued', 'running']) });
/**
 * A run's record. The port reads every record as a summary; a pending one (`queued`, `running`) has only the
 * fields it was written with, checked as such (`GET /runs/{id}` shows it as stored).
 */
const storedRunSchema = z.union([
  runSummarySchema,
  z.custom<RunSummary>((value) => pendingRunSchema.safeParse(value).success, 'neither a run summary nor a queued or running run'),
]);
const lockSchema = z.looseObject({ holder: z.string(), expiresAt: z.number() });
const planItemSchema = z.looseObject({ plan: runPlanSchema });
const claimedSchema = z.looseObject({ claimed: z.number().optional() });
const doneShardsSchema = z.looseObject({ doneShards: z.set(z.number()).optional() });
const tallyItemSchema = z.looseObject({ tally: z.string() });
const sourceStateSchema = z.looseObject({
  status: z.enum(['ok', 'failing']),
  drift: z.array(z.string()).optional(),
  since: z.string(),
  failingEndpoints: z.array(z.string()).optional(),
});
const venueBucketSchema = z.looseObject({ checked: z.record(z.string(), z.string()).optional() });

/** A run's stored record. */
export function parseRun(item: unknown, runId: string): RunSummary {
  return parseStored(storedRunSchema, 'run', runId, item);
}

/** Who holds the run lock, by its stored item. */
export function parseLockHolder(item: unknown): string {
  return parseStored(lockSchema, 'run lock', LOCK_KEY.runId, item).holder;
}

/** The plan a plan item holds. */
export function parsePlan(item: unknown, runId: string): RunPlan {
  return parseStored(planItemSchema, 'run plan', planKey(runId).runId, item).plan;
}

/** Shards claimed so far, from the plan item's counter as an update returned it. */
export function parseClaimed(attributes: unknown, runId: string): number {
  return parseStored(claimedSchema, 'run plan counter', planKey(runId).runId, attributes ?? {}).claimed ?? 0;
}

/** How many shards are done, from the plan item's set as an update returned it. */
export function parseDoneShards(attributes: unknown, runId: string): number {
  return parseStored(doneShardsSchema, 'run plan counter', planKey(runId).runId, attributes ?? {}).doneShards?.size ?? 0;
}

/** A shard's checkpoint: kept as one JSON string (read and written whole), parsed here. */
export function parseTally(item: unknown, runId: string, shard: number): ShardTally {
  const key = shardKey(runId, shard).runId;
  const { tally } = parseStored(tallyItemSchema, 'shard tally', key, item);
  let json: unknown;
  try {
    json = JSON.parse(tally);
  } catch (error) {
    throw new MalformedItemError('shard tally', key, ['tally: not JSON'], { cause: error });
  }
  return parseStored(shardTallySchema, 'shard tally', key, json);
}

/** A source's stored health; a record stored before endpoints were kept has none (`failingEndpointsOf` reads it as all failing). */
export function parseSourceState(item: unknown, source: SourceName): StoredSourceState {
  const { status, drift, since, failingEndpoints } = parseStored(sourceStateSchema, 'source state', sourceKey(source).runId, item);
  return { status, drift: drift ?? [], since, ...(failingEndpoints && { failingEndpoints }) };
}

/** A venue-log bucket's account key → last checked (ISO time). */
export function parseVenueBucket(item: unknown, key: string): Record<string, string> {
  return parseStored(venueBucketSchema, 'venue check log', key, item).checked ?? {};
}

/** Whose lock a run's writes are fenced by, the runs table it is kept in, and the run's clock. */
export interface Fence {
  table: string;
  runId: string;
  now: () => Date;
}

/** The transaction item that checks the fence's run still holds the run lock, unexpired: first in every fenced write. */
export function fenceCheck(fence: Fence) {
  return {
    ConditionCheck: {
      TableName: fence.table,
      Key: LOCK_KEY,
      ConditionExpression: 'holder = :holder AND expiresAt >= :now',
      ExpressionAttributeValues: { ':holder': fence.runId, ':now': fence.now().getTime() },
    },
  };
}

/** A fenced write refused on its first item (the lock check): the run lost its lock, {@link LockLostError}. */
export function throwIfLockLost(fence: Fence | undefined, error: unknown): void {
  if (fence && cancellationReasons(error)?.[0] === 'ConditionalCheckFailed') throw new LockLostError(fence.runId, { cause: error });
}
