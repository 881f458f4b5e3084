import { type Flow, Ledger, type TransferRecord, tradeFlows, transferFlows } from '../../domain/ledger';
import type { HistoryChunk, UserTotals } from '../../ports/history';
import type { ReportingPort } from '../../ports/upstream';

/** How a run reads history. */
export interface HistoryOptions {
  asOf: Date;
  /** The in-flight grace window (ms); the overlap is never shorter. */
  graceMs: number;
  /** How far before the watermark rows are read again, for rows that reach Reporting late (ms). */
  overlapMs: number;
  /** Ignore the stored totals and read every user's whole history. */
  rebuild: boolean;
}

/** A batch's history: the ledger the checks read, the transfers locked-orders needs, the totals to keep. */
export interface BatchHistory {
  ledger: Ledger;
  /** Per user, the transfers read that were not final at the as-of (pending withdrawals lock funds); the rest are in the ledger. */
  transfers: Map<string, TransferRecord[]>;
  /**
   * The totals to store for the next run; undefined when nothing changed (no write needed), the
   * as-of is before the watermark, or a user's resting orders are unknown.
   */
  next: HistoryChunk | undefined;
  /** History rows read (transfers, orders, trades). */
  rows: number;
  /** Users whose totals came from the stored chunk (the rest were read in full). */
  incrementalUsers: number;
}

/** Transfer statuses that never change again. */
const FINAL_TRANSFER_STATUSES = new Set(['Completed', 'Failed', 'Cancelled', 'Rejected', 'Reverted']);

type HistoryPort = Pick<ReportingPort, 'transfers' | 'finishedOrders' | 'tradesOfOrders'>;

/** Which users of a batch are read incrementally (from `from`, their stored totals usable) and which in full. */
interface BatchPlan {
  userIds: string[];
  asOf: number;
  overlapMs: number;
  /** The stored totals, when usable (not rebuilding, as-of not before their watermark). */
  usable: HistoryChunk | undefined;
  from: number | undefined;
  fromIso: string | undefined;
  known: string[];
  knownSet: Set<string>;
  fresh: string[];
}

/** What a batch's rows are rolled into: the ledger (seeded from the stored totals) and, per user, the row ids already counted. */
interface Rolling {
  ledger: Ledger;
  applied: Map<string, Map<string, number>>;
  transfersByUser: Map<string, TransferRecord[]>;
  nextFrom: number;
  added: number;
  /** Users a row not yet counted reached. */
  changed: Set<string>;
}

/**
 * A batch's history rolled into a ledger, before the totals to store are settled: the users any new
 * flow reached (`changed`), and `totals(resting)` — the running totals to store once every user's
 * resting orders are known (undefined: not to be moved; `always`: even when nothing changed).
 */
export interface RolledHistory extends Omit<BatchHistory, 'next'> {
  /** Users with rows not yet counted in their stored totals (a flow, a transfer newly pending), or read in full. */
  changed: Set<string>;
  totals(resting: ReadonlyMap<string, readonly string[]>, always?: boolean): HistoryChunk | undefined;
}

/**
 * Reads the history of one batch of users and rolls it into a ledger. Users with stored totals
 * (and an as-of not before their watermark) are read incrementally: transfers and orders created
 * from watermark − overlap, the fills of those orders and of the orders resting then or now, and
 * the transfers that were still pending; a row already counted is recognised by its id. Every
 * other user is read in full. Throws the source's error when a read fails: the caller makes the
 * history checks `unknown`.
 */
export async function readBatchHistory(
  userIds: string[],
  openOrderIds: ReadonlyMap<string, readonly string[]> | Promise<ReadonlyMap<string, readonly string[]>>,
  stored: HistoryChunk | undefined,
  options: HistoryOptions,
  port: HistoryPort,
): Promise<BatchHistory> {
  const { totals, changed: _changed, ...rolled } = await rollBatchHistory(userIds, openOrderIds, stored, options, port);
  return { ...rolled, next: totals(await openOrderIds) };
}

/**
 * {@link readBatchHistory} up to the totals: `openOrderIds` are the orders whose fills are read (the
 * resting orders read now, or the stored ones of a user not read now); the totals wait for `totals`.
 */
export async function rollBatchHistory(
  userIds: string[],
  openOrderIds: ReadonlyMap<string, readonly string[]> | Promise<ReadonlyMap<string, readonly string[]>>,
  stored: HistoryChunk | undefined,
  options: HistoryOptions,
  port: HistoryPort,
): Promise<RolledHistory> {
  const plan = planBatch(userIds, stored, options);
  const { orderReads, transferReads, olderPending } = startReads(plan, port);
  // The resting orders (read per user by the caller) are only needed for the fills: wait for them last.
  const [orderLists, transferLists, resting] = await Promise.all([Promise.all(orderReads), Promise.all(transferReads), openOrderIds]);
  const orderIds = new Set(orderLists.flat().map((order) => order.orderId));
  for (const ids of resting.values()) for (const id of ids) orderIds.add(id);
  for (const userId of plan.known) for (const id of plan.usable?.users[userId]?.openOrders ?? []) orderIds.add(id);
  const trades = orderIds.size > 0 ? await port.tradesOfOrders([...orderIds]) : [];

  const rolling = seedLedger(plan, options);
  rollTransfers(plan, rolling, transferLists.flat(), olderPending);
  // Each read is de-duplicated across its pages (`readAllPages`), and the reads do not overlap.
  for (const row of trades) apply(plan, rolling, row.userId, `f:${row.orderId}/${row.executionId}`, tradeFlows(row), row.executedAt);

  const rows =
    transferLists.reduce((sum, list) => sum + list.length, 0) + orderLists.reduce((sum, list) => sum + list.length, 0) + trades.length;
  const totals = (restingNow: ReadonlyMap<string, readonly string[]>, always = false) => {
    // A user whose resting orders could not be read: their later fills would be missed if the
    // watermark moved past them, so the stored totals stay as they were (the next run reads again from there).
    const movable = (!stored || options.rebuild || plan.asOf >= stored.watermark) && userIds.every((id) => restingNow.has(id));
    const next = movable ? nextTotals(plan, rolling, restingNow) : undefined;
    return next && !always && unchanged(plan, rolling, next) ? undefined : next;
  };
  for (const userId of plan.fresh) rolling.changed.add(userId);
  return {
    ledger: rolling.ledger,
    transfers: rolling.transfersByUser,
    rows,
    incrementalUsers: plan.known.length,
    changed: rolling.changed,
    totals,
  };
}

function planBatch(userIds: string[], stored: HistoryChunk | undefined, options: HistoryOptions): BatchPlan {
  const asOf = options.asOf.getTime();
  const overlapMs = Math.max(options.overlapMs, options.graceMs);
  const usable = stored && !options.rebuild && asOf >= stored.watermark ? stored : undefined;
  const from = usable ? usable.watermark - overlapMs : undefined;
  const fromIso = from === undefined ? undefined : new Date(from).toISOString();
  const known = usable ? userIds.filter((id) => usable.users[id]) : [];
  const knownSet = new Set(known);
  const fresh = userIds.filter((id) => !knownSet.has(id));
  return { userIds, asOf, overlapMs, usable, from, fromIso, known, knownSet, fresh };
}

/**
 * Starts the batch's reads of finished orders and transfers, and the read of the transfers pending at the
 * watermark but created before `from` (see {@link readOlderPending}).
 */
function startReads(plan: BatchPlan, port: HistoryPort) {
  const { known, fresh, fromIso } = plan;
  // Which orders can have fills to read: finished orders created since `from` (all, for fresh users), and resting ones.
  const orderReads: Promise<{ orderId: string }[]>[] = [];
  if (known.length > 0) orderReads.push(port.finishedOrders(known, fromIso));
  if (fresh.length > 0) orderReads.push(port.finishedOrders(fresh));
  const transferReads: Promise<TransferRecord[]>[] = [];
  if (known.length > 0) transferReads.push(port.transfers(known, { from: fromIso }));
  if (fresh.length > 0) transferReads.push(port.transfers(fresh));
  const olderPending = olderPendingOf(plan);
  if (olderPending.size > 0) transferReads.push(readOlderPending(olderPending, port));
  return {
    orderReads,
    transferReads,
    olderPending: new Map([...olderPending].map(([userId, pending]) => [userId, new Set(pending.keys())])),
  };
}

/**
 * The transfers pending at the watermark but created before `from` (per user, id → created at), as they
 * are now: one read of those users' transfers not yet final (a pending withdrawal can stay so for months,
 * and a range from the earliest to the latest would read every row between), then, for those it no longer
 * shows (final since), one read from the earliest of them to the latest. Only those ids are kept: the other
 * rows are in the stored totals, or read from `from`.
 */
async function readOlderPending(older: Map<string, Map<string, string>>, port: HistoryPort): Promise<TransferRecord[]> {
  const pendingIds = new Set([...older.values()].flatMap((pending) => [...pending.keys()]));
  const unsettled = await port.transfers([...older.keys()], { notStatus: [...FINAL_TRANSFER_STATUSES] });
  const found = unsettled.filter((row) => pendingIds.has(row.id));
  const foundIds = new Set(found.map((row) => row.id));
  const settled = [...older].flatMap(([userId, pending]) =>
    [...pending].filter(([id]) => !foundIds.has(id)).map(([id, at]) => ({ userId, id, at })),
  );
  if (settled.length === 0) return found;
  const times = settled.map((one) => one.at).sort();
  const settledIds = new Set(settled.map((one) => one.id));
  const rows = await port.transfers([...new Set(settled.map((one) => one.userId))], { from: times[0], to: times[times.length - 1] });
  return [...found, ...rows.filter((row) => settledIds.has(row.id))];
}

/** Per known user, the transfers pending at the watermark that were created before `from` (id → created at). */
function olderPendingOf({ known, from, usable }: BatchPlan): Map<string, Map<string, string>> {
  const older = new Map<string, Map<string, string>>();
  for (const userId of known) {
    const old = (usable?.users[userId]?.pending ?? []).filter(([, at]) => from !== undefined && Date.parse(at) < from);
    if (old.length > 0) older.set(userId, new Map(old));
  }
  return older;
}

/** A ledger seeded with the known users' stored positions, and the row ids their totals already hold. */
function seedLedger(plan: BatchPlan, options: HistoryOptions): Rolling {
  const ledger = new Ledger(options.asOf, options.graceMs);
  const applied = new Map<string, Map<string, number>>();
  for (const userId of plan.known) {
    const totals = plan.usable?.users[userId];
    if (!totals) continue;
    for (const [asset, position] of Object.entries(totals.positions)) ledger.seed(userId, asset, position);
    applied.set(userId, new Map(totals.applied));
  }
  for (const userId of plan.fresh) applied.set(userId, new Map());
  const transfersByUser = new Map<string, TransferRecord[]>(plan.userIds.map((id) => [id, []]));
  return { ledger, applied, transfersByUser, nextFrom: plan.asOf - plan.overlapMs, added: 0, changed: new Set() };
}

/** Rolls the transfers read into the ledger, keeping per user those not final at the as-of. */
function rollTransfers(plan: BatchPlan, rolling: Rolling, transfers: TransferRecord[], olderPending: Map<string, Set<string>>): void {
  for (const row of transfers) {
    const list = rolling.transfersByUser.get(row.userId);
    if (!list) continue;
    const pendingNow = !FINAL_TRANSFER_STATUSES.has(row.status) && Date.parse(row.createdAt) <= plan.asOf;
    if (pendingNow) list.push(row);
    const wasPending = olderPending.get(row.userId)?.has(row.id) ?? false;
    // A transfer newly pending moves no flow yet, but locks funds: the user changed.
    if (pendingNow && !plan.usable?.users[row.userId]?.pending.some(([id]) => id === row.id)) rolling.changed.add(row.userId);
    // Pending at the watermark, final now: counted for the first time, whenever it was created.
    if (wasPending) {
      const flows = transferFlows(row);
      for (const flow of flows) rolling.ledger.add(flow);
      if (flows.length > 0) rolling.added++;
      if (!pendingNow) rolling.changed.add(row.userId);
    } else apply(plan, rolling, row.userId, `t:${row.id}`, transferFlows(row), row.createdAt);
  }
}

/** Adds a row's flows, dated `dated`, unless the stored totals already hold them; remembers what it added. */
function apply(plan: BatchPlan, rolling: Rolling, userId: string, rowId: string, flows: Flow[], dated: string): void {
  const mine = rolling.applied.get(userId);
  if (!mine || flows.length === 0) return; // a row of a user outside the batch is never expected: ignored rather than misfiled
  const at = Date.parse(dated);
  if (plan.from !== undefined && at < plan.from && plan.knownSet.has(userId)) return; // in the stored totals
  const counted = mine.has(rowId);
  for (const flow of flows) rolling.ledger.add(flow, counted, at);
  if (!counted && at <= plan.asOf) {
    rolling.added++;
    rolling.changed.add(userId);
  }
  // Only rows the next run reads again need remembering.
  if (!counted && at <= plan.asOf && at >= rolling.nextFrom) mine.set(rowId, at);
}

/** The running totals to store for the next run: each user's positions and what it must read again. */
function nextTotals(plan: BatchPlan, rolling: Rolling, resting: ReadonlyMap<string, readonly string[]>): HistoryChunk {
  const { asOf } = plan;
  const { ledger, applied, transfersByUser, nextFrom } = rolling;
  return {
    watermark: asOf,
    users: Object.fromEntries(
      plan.userIds.map((userId) => [
        userId,
        {
          positions: ledger.totalsOf(userId),
          applied: [...(applied.get(userId) ?? [])].filter(([, at]) => at >= nextFrom && at <= asOf),
          pending: (transfersByUser.get(userId) ?? []).map((row): [string, string] => [row.id, row.createdAt]),
          openOrders: [...(resting.get(userId) ?? [])],
        } satisfies UserTotals,
      ]),
    ),
  };
}

/** Nothing new for any of these users: the stored totals stay as they are (no write), watermark included. */
function unchanged(plan: BatchPlan, rolling: Rolling, next: HistoryChunk): boolean {
  const { usable, userIds } = plan;
  return (
    usable !== undefined &&
    rolling.added === 0 &&
    plan.fresh.length === 0 &&
    Object.keys(usable.users).length === userIds.length &&
    userIds.every((userId) => {
      const before = usable.users[userId];
      const after = next.users[userId];
      if (!before || !after) return false;
      return (
        sameIds(
          before.pending.map(([id]) => id),
          after.pending.map(([id]) => id),
        ) && sameIds(before.openOrders, after.openOrders)
      );
    })
  );
}

function sameIds(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  const set = new Set(a);
  return b.every((id) => set.has(id));
}
