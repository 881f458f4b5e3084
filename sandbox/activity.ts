import { REPORTING_BALANCE_ROLES } from './assets';
import { computeTrueBalances } from './balances';
import type { Book, BookUser, Position } from './book-types';
import { positionKey } from './book-types';
import { parseUnits, pow10 } from './decimal';
import { type ActivityBalances, type HistorySink, UserActivity } from './history';
import { isJsonObject, JsonNumber } from './json-text';
import { outsideTotalsOf } from './outside-totals';
import { mirroredKeys } from './plant-context';
import { restateAggregatePlants } from './planting-figures';
import { Rng } from './random';
import { isoFromMicros, parseIsoToMicros } from './time';
import { FEE_GROUP_BPS } from './user-profiles';
import { shiftViews } from './views';

/** What `addActivity` is asked for (also the body of `POST /__sandbox/activity`). */
export interface ActivityOptions {
  /** new history rows, as a fraction of the rows the book holds (transfers + orders + trades): in (0, 1] */
  fraction: number;
  /** how far `asOf` moves forward, in ms: an integer ≥ 60000 */
  advanceMs: number;
  /**
   * the fraction of the book's users that are active, in (0, 1]: the new rows land on that many users only (the first
   * ⌈users × N⌉ users new activity may touch, in the shuffled order). Default: every user may be visited (each round
   * gives one event to each user, so the rows spread over as many users as it takes).
   */
  users?: number;
  /** chooses the users and the rows (default: derived from the book's seed and revision) */
  seed?: number;
}

/** Row counts of the three history tables the product reads incrementally. */
interface HistoryRowCounts {
  transfers: number;
  orders: number;
  trades: number;
}

/** The answer of `addActivity`: the new `asOf`, the rows added and the rows the book now holds. */
export interface ActivityResult {
  asOf: string;
  added: HistoryRowCounts;
  rows: HistoryRowCounts;
}

/** Thrown for options `addActivity` refuses (answered 400 over HTTP). */
export class ActivityOptionsError extends Error {
  override readonly name = 'ActivityOptionsError';
}

/** Smallest and largest `advanceMs` (one minute; ten years, which keeps timestamps within four-digit years). */
const MIN_ADVANCE_MS = 60_000;
const MAX_ADVANCE_MS = 3660 * 86_400_000;
/** New rows are dated at least this long before the new asOf: outside the product's 15-minute grace window. */
const SETTLED_BEFORE_AS_OF_MS = 30 * 60_000;

const COUNTED = new Set<string>(REPORTING_BALANCE_ROLES);
const TWO_POW_53 = 2n ** 53n;

/** Row counts of a book's history tables. */
function historyRowCounts(book: Book): HistoryRowCounts {
  return { transfers: book.transfers.length, orders: book.orders.length, trades: book.trades.length };
}

/** Validates `POST /__sandbox/activity`'s body (lossless JSON) into options; throws `ActivityOptionsError`. */
export function parseActivityOptions(body: unknown): ActivityOptions {
  if (!isJsonObject(body))
    throw new ActivityOptionsError('Body must be a JSON object {"fraction": …, "advanceMs": …, "users"?: …, "seed"?: …}');
  const literal = (name: string): string | undefined => {
    const v = body[name];
    if (v === undefined || v === null) return undefined;
    if (!(v instanceof JsonNumber)) throw new ActivityOptionsError(`${name} must be a JSON number, got ${JSON.stringify(v)}`);
    return v.literal;
  };
  const fraction = literal('fraction');
  const advanceMs = literal('advanceMs');
  const seed = literal('seed');
  const users = literal('users');
  if (fraction === undefined) throw new ActivityOptionsError('fraction is required: a number in (0, 1]');
  if (advanceMs === undefined) throw new ActivityOptionsError(`advanceMs is required: an integer ≥ ${MIN_ADVANCE_MS}`);
  const integer = (name: string, text: string): number => {
    const n = Number(text);
    if (!/^-?\d+$/.test(text) || !Number.isSafeInteger(n)) throw new ActivityOptionsError(`${name} must be an integer, got ${text}`);
    return n;
  };
  const options: ActivityOptions = { fraction: Number(fraction), advanceMs: integer('advanceMs', advanceMs) };
  if (seed !== undefined) options.seed = integer('seed', seed);
  if (users !== undefined) options.users = Number(users);
  validateActivityOptions(options);
  return options;
}

function validateActivityOptions(options: ActivityOptions): void {
  const { fraction, advanceMs, seed, users } = options;
  if (!(Number.isFinite(fraction) && fraction > 0 && fraction <= 1))
    throw new ActivityOptionsError(`fraction must be a number in (0, 1], got ${fraction}`);
  if (users !== undefined && !(Number.isFinite(users) && users > 0 && users <= 1))
    throw new ActivityOptionsError(`users must be a number in (0, 1], got ${users}`);
  if (!Number.isSafeInteger(advanceMs) || advanceMs < MIN_ADVANCE_MS || advanceMs > MAX_ADVANCE_MS)
    throw new ActivityOptionsError(`advanceMs must be an integer from ${MIN_ADVANCE_MS} to ${MAX_ADVANCE_MS}, got ${advanceMs}`);
  if (seed !== undefined && !Number.isSafeInteger(seed)) throw new ActivityOptionsError(`seed must be a safe integer, got ${seed}`);
}

/** A user new activity may touch, and the positions open to it. */
interface Candidate {
  user: BookUser;
  balances: ActivityBalances;
}

/**
 * Tells which users new activity may touch: Active users with a role Reporting counts, named nowhere in the manifest
 * (so no plant, in-flight row or edge case of theirs moves), with the positions open to it: not venue-mirrored, below
 * 2^53 whole units, views equal to the truth, available not negative. Undefined for a user with no such position.
 */
function candidateOf(book: Book): (user: BookUser) => Candidate | undefined {
  const m = book.manifest;
  const named = new Set([...m.planted, ...m.inFlight, ...m.edgeCases].map((d) => d.userId));
  const mirrored = mirroredKeys(book);
  const open = (p: Position): boolean => {
    const { truth: t, backOffice: bo, reporting: r } = p;
    return (
      p.inReporting &&
      p.inBackOffice &&
      !mirrored.has(positionKey(p.userId, p.asset)) &&
      t.amount < TWO_POW_53 * pow10(p.scale) &&
      t.available >= 0n &&
      bo.amount === t.amount &&
      bo.locked === t.locked &&
      bo.available === t.available &&
      r.assetAmount === t.amount &&
      r.lockedAssetAmount === t.locked &&
      r.availableAssetAmount === t.available
    );
  };
  return (user) => {
    if (user.status !== 'Active' || named.has(user.userId) || book.overrides.unknownToBackOffice.has(user.userId)) return undefined;
    if (!user.roles.some((r) => COUNTED.has(r))) return undefined;
    const balances = new Map<string, { amount: bigint; locked: bigint }>();
    for (const p of book.index.positionsByUser.get(user.userId) ?? [])
      if (open(p)) balances.set(p.asset, { amount: p.truth.amount, locked: p.truth.locked });
    return balances.size > 0 ? { user, balances } : undefined;
  };
}

/**
 * Generates about `fraction` × the book's history rows of new Completed activity (deposits, orders of 1–3 trades,
 * withdrawals), visiting users chosen from the seed one event at a time, dated strictly after the old asOf and at
 * the latest 30 minutes before the new one. Fewer when the window is shorter than a second or the users run out.
 */
function generateActivity(book: Book, options: ActivityOptions, fromUs: number, newAsOfUs: number): HistorySink {
  const sink: HistorySink = { transfers: [], orders: [], trades: [], openOrders: [] };
  const toUs = newAsOfUs - SETTLED_BEFORE_AS_OF_MS * 1000 + 1;
  if (toUs - fromUs < 1_000_000) return sink;
  const rows = historyRowCounts(book);
  const target = Math.max(1, Math.ceil(options.fraction * (rows.transfers + rows.orders + rows.trades)));
  const seed = options.seed ?? Math.imul(book.seed, 0x2c1b3c6d) ^ Math.imul(book.revision + 1, 0x297a2d39);
  const rng = new Rng(seed);
  const candidate = candidateOf(book);
  const users = activeUsers(rng.shuffle(book.users), candidate, options.users);
  // null: a user activity may not touch (users are judged as the first round reaches them)
  const activities: (UserActivity | null | undefined)[] = [];
  let added = 0;
  for (let progressed = true; added < target && progressed; ) {
    progressed = false;
    for (let k = 0; k < users.length && added < target; k++) {
      let activity = activities[k];
      if (activity === undefined) {
        const c = candidate(users[k] as BookUser);
        const feeBps = FEE_GROUP_BPS[c?.user.feeGroupId ?? ''] ?? 0n;
        activity = c ? new UserActivity(rng, { userId: c.user.userId, feeBps, balances: c.balances, fromUs, toUs }, book.ids, sink) : null;
        activities[k] = activity;
      }
      if (!activity?.canStep) continue;
      added += activity.step();
      progressed = true;
    }
  }
  for (const activity of activities) activity?.finish();
  // filed as an exchange lists its newest rows: after every older row, in time order
  sink.transfers.sort((a, b) => compareText(a.createdAt, b.createdAt));
  sink.orders.sort((a, b) => compareText(a.createdAt, b.createdAt));
  sink.trades.sort((a, b) => compareText(a.executedAt, b.executedAt));
  return sink;
}

/**
 * The users new activity visits, in the shuffled order: all of them, or with `fraction` set only the first
 * ⌈fraction × N⌉ that activity may touch (N: the book's users), so the new rows concentrate on that many.
 */
function activeUsers(shuffled: BookUser[], candidate: (user: BookUser) => Candidate | undefined, fraction: number | undefined): BookUser[] {
  if (fraction === undefined) return shuffled;
  const wanted = Math.ceil(fraction * shuffled.length);
  const active: BookUser[] = [];
  for (const user of shuffled) {
    if (active.length >= wanted) break;
    if (candidate(user)) active.push(user);
  }
  return active;
}

const compareText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Moves the truth of every position the rows dated in (old asOf, new asOf] touch by what those rows imply (the
 * truth is the history up to asOf, which gained exactly these rows), and both views with it, so views keep any
 * in-flight difference. A moved position must be neither venue-mirrored nor planted.
 */
function rollTruthForward(book: Book, rows: HistorySink): void {
  const byUser = new Map<string, HistorySink>();
  const sinkOf = (userId: string): HistorySink => {
    let sink = byUser.get(userId);
    if (!sink) {
      sink = { transfers: [], orders: [], trades: [], openOrders: [] };
      byUser.set(userId, sink);
    }
    return sink;
  };
  for (const t of rows.transfers) sinkOf(t.userId).transfers.push(t);
  for (const t of rows.trades) sinkOf(t.userId).trades.push(t);
  const mirrored = mirroredKeys(book);
  const planted = new Set(book.manifest.planted.map((d) => positionKey(d.userId, d.asset)));
  for (const [userId, sink] of byUser) {
    const positions = book.index.positionsByUser.get(userId) ?? [];
    const moves = computeTrueBalances({ userId, assets: positions.map((p) => p.asset) }, sink, { allowNegative: true });
    for (const p of positions) {
      const move = moves.get(p.asset);
      if (!move || (move.amount === 0n && move.locked === 0n)) continue;
      const key = positionKey(p.userId, p.asset);
      if (mirrored.has(key) || planted.has(key)) throw new Error(`new history moved the truth of planted or venue-mirrored ${key}`);
      const amount = p.truth.amount + move.amount;
      const locked = p.truth.locked + move.locked;
      p.truth = { amount, locked, available: amount - locked };
      shiftViews(p, move);
    }
  }
}

/** Throws unless both views of the position equal its truth (what a settled position must show). */
function assertSettled(p: Position | undefined, what: string): void {
  const views = p && [p.backOffice.amount, p.backOffice.locked, p.reporting.assetAmount, p.reporting.lockedAssetAmount];
  if (!p || views?.some((v, i) => v !== (i % 2 === 0 ? p.truth.amount : p.truth.locked)))
    throw new Error(`${what} is not settled in both views`);
}

/**
 * Adds new activity after the book's asOf and moves asOf forward by `advanceMs`, as a real exchange would look a while
 * later: about `fraction` × the history rows of new Completed deposits, orders (1–3 trades) and withdrawals, dated in
 * (old asOf, new asOf − 30 min], with ids continuing the book's counters, on users no plant, in-flight row or edge case
 * names and on positions no venue mirrors; every balance the new rows move follows them (truth, both views, `*InRAT`).
 * The rows in flight at the old asOf and the after-as-of deposit, once the new asOf reaches it, are settled: both views
 * now reflect them, `manifest.inFlight` is emptied and the settled after-as-of edge case dropped. Aggregate plants
 * (user and asset totals) are restated against the moved sums, their difference unchanged, and the holdings outside
 * the totals recomputed.
 * Caches over the book follow through `book.revision`. Throws `ActivityOptionsError` on bad options.
 */
export function addActivity(book: Book, options: ActivityOptions): ActivityResult {
  validateActivityOptions(options);
  const oldAsOfUs = parseIsoToMicros(book.asOf) as number;
  const newAsOfUs = oldAsOfUs + options.advanceMs * 1000;
  const asOf = isoFromMicros(newAsOfUs);
  const sink = generateActivity(book, options, oldAsOfUs, newAsOfUs);
  for (const t of sink.transfers) book.transfers.push(t);
  for (const o of sink.orders) book.orders.push(o);
  for (const t of sink.trades) book.trades.push(t);

  const manifest = book.manifest;
  // the only older rows dated after the old asOf are the after-as-of deposits; those the new asOf reaches settle
  const afterAsOf = manifest.edgeCases.filter((e) => e.kind === 'after-as-of');
  const edgeRowIds = new Set(afterAsOf.flatMap((e) => e.rowIds));
  const settled = edgeRowIds.size === 0 ? [] : book.transfers.filter((t) => edgeRowIds.has(t.id) && t.createdAt <= asOf);
  const settledEdges = afterAsOf.filter((e) => e.rowIds.every((id) => settled.some((t) => t.id === id)));
  rollTruthForward(book, { ...sink, transfers: [...sink.transfers, ...settled] });

  // in flight at the old asOf: long settled by the new one, the views catch up with the truth
  const at = (e: { userId: string; asset: string }) => book.index.positionByKey.get(positionKey(e.userId, e.asset));
  for (const e of manifest.inFlight) {
    const p = at(e);
    if (!p) throw new Error(`in-flight entry names no position: ${e.userId} ${e.asset}`);
    shiftViews(p, { amount: -parseUnits(e.difference, p.scale) });
  }
  for (const e of [...manifest.inFlight, ...settledEdges]) assertSettled(at(e), `${e.userId} ${e.asset}`);
  for (const row of [...sink.transfers, ...sink.trades]) assertSettled(at({ userId: row.userId, asset: assetOf(row) }), row.userId);

  manifest.inFlight = [];
  manifest.edgeCases = manifest.edgeCases.filter((e) => !settledEdges.includes(e));
  manifest.planted = restateAggregatePlants(book, manifest.planted);
  manifest.outsideTotals = outsideTotalsOf(book);
  book.asOf = asOf;
  manifest.asOf = asOf;
  book.revision++;
  return {
    asOf,
    added: { transfers: sink.transfers.length, orders: sink.orders.length, trades: sink.trades.length },
    rows: historyRowCounts(book),
  };
}

const assetOf = (row: { assetId: string } | { commissionAssetId: string }): string =>
  'assetId' in row ? row.assetId : row.commissionAssetId;
