import { computeTrueBalances } from './balances';
import type {
  Book,
  BookOpenOrder,
  BookOrder,
  BookTrade,
  BookTransfer,
  BookUser,
  EdgeCase,
  InFlightEntry,
  PlantedCheck,
  PlantedDiscrepancy,
  Position,
  TransferStatus,
  TransferType,
} from './book-types';
import { positionKey } from './book-types';
import type { HistorySink, IdCounters } from './history';
import type { Rng } from './random';
import { isoFromMicros, parseIsoToMicros } from './time';

/** What a planter may use: the built book, its own PRNG, pickers of still-unplanted positions and a history editor. */
export interface PlantContext {
  readonly book: Book;
  readonly rng: Rng;
  /** key (userId|asset) of the position holding more than 2^53 whole units */
  readonly whaleKey: string;
  /** Takes a deterministic, not-yet-planted position of a counted-role user matching `accept`; throws if none. */
  take(accept: (p: Position) => boolean, why: string): Position;
  /**
   * Scans `rows` from a random start for one whose positions (`positionsOf`, undefined = not usable) are all free
   * positions of counted-role users, and claims them; throws if none.
   */
  takeFrom<T>(
    rows: readonly T[],
    positionsOf: (row: T) => readonly Position[] | undefined,
    why: string,
  ): { row: T; positions: readonly Position[] };
  /**
   * Takes a counted-role user for a user-level plant (`whole`: also claims all its positions, which must be free);
   * throws if none.
   */
  takeUser(accept: (user: BookUser, positions: readonly Position[]) => boolean, why: string, whole?: boolean): BookUser;
  /** Claims an asset-level key (`*|asset`); false when already taken. */
  claimAsset(asset: string): boolean;
  /** Whether no planter has claimed the position yet. */
  isFree(p: Position): boolean;
  /** Whether a venue account mirrors the position (a plant changing its truth amount must avoid it). */
  isMirrored(p: Position): boolean;
  /** The position of a user × asset, if the user holds it. */
  position(userId: string, asset: string): Position | undefined;
  /** Rows to add to, change in, or remove from the history (applied after the last planter). */
  readonly history: HistoryEditor;
  /** What earlier planters planted. */
  readonly planted: readonly PlantedDiscrepancy[];
  addInFlight(entry: InFlightEntry): void;
  addEdgeCase(entry: EdgeCase): void;
}

/** One kind of planted discrepancy; `plant` alters the book and describes what it did (none for in-flight / edge cases). */
export interface Planter {
  readonly check: PlantedCheck;
  readonly name: string;
  /** Skipped (nothing planted) when the book has no position it can use, e.g. no venue account in a tiny book. */
  readonly optional?: boolean;
  plant(ctx: PlantContext): PlantedDiscrepancy | readonly PlantedDiscrepancy[];
}

/** Thrown by the pickers when nothing free fits; an optional planter then plants nothing. */
export class NoCandidateError extends Error {
  override readonly name = 'NoCandidateError';
}

const MINUTE_US = 60_000_000;
const HOUR_US = 60 * MINUTE_US;
/** Planted rows outside the grace window start this long before asOf (generated history ends ≥ 7.4 h before it). */
const PLANT_WINDOW_US = 7 * HOUR_US;
/** Offsets from asOf of the dated edge rows. */
export const IN_FLIGHT_DEPOSIT_OFFSET_US = -60_000_000;
export const IN_FLIGHT_TRADE_OFFSET_US = -120_000_000;
export const AFTER_AS_OF_OFFSET_US = HOUR_US;

const IS_FIAT = new Set(['usd']);

/**
 * Collects the history rows planters add, change or remove, hands out their timestamps and, on `commit`, files the
 * new rows after each user's own (in time order), then recomputes the truth of every touched user from its rows up to
 * asOf. New ids continue the book's counters.
 */
export class HistoryEditor {
  private readonly asOfUs: number;
  private readonly clocks = new Map<string, number>();
  private readonly touched = new Set<string>();
  private readonly transfers: BookTransfer[] = [];
  private readonly trades: BookTrade[] = [];
  private readonly orders: BookOrder[] = [];
  private readonly openOrders: BookOpenOrder[] = [];
  private readonly removedOpenOrders = new Set<string>();

  constructor(
    private readonly book: Book,
    private readonly ids: IdCounters,
  ) {
    this.asOfUs = parseIsoToMicros(book.asOf) as number;
  }

  /** An instant relative to asOf, as the book writes timestamps. */
  at(offsetUs: number): string {
    return isoFromMicros(this.asOfUs + offsetUs);
  }

  /**
   * The next planted instant (epoch µs) of a user: after its generated history, hours before asOf (outside the
   * grace window), increasing per user.
   */
  nextUs(userId: string, rng: Rng): number {
    const t = (this.clocks.get(userId) ?? this.asOfUs - PLANT_WINDOW_US) + rng.int(1_000_000, 10 * MINUTE_US);
    this.clocks.set(userId, t);
    return t;
  }

  /** `nextUs` as the book writes timestamps. */
  next(userId: string, rng: Rng): string {
    return isoFromMicros(this.nextUs(userId, rng));
  }

  /** Marks a user whose truth must be recomputed (its rows changed in place). */
  touch(userId: string): void {
    this.touched.add(userId);
  }

  addTransfer(
    rng: Rng,
    row: { userId: string; assetId: string; type: TransferType; status: TransferStatus; amount: bigint; createdAt: string },
  ): BookTransfer {
    const onChain = (row.status === 'Completed' || row.status === 'Pending') && !IS_FIAT.has(row.assetId);
    const transfer: BookTransfer = { id: String(++this.ids.transfer), ...row, externalId: onChain ? `0x${rng.hex(64)}` : '' };
    this.transfers.push(transfer);
    this.touch(row.userId);
    return transfer;
  }

  /** Adds a one-fill order: the order row and its trade (the trade carries `executionId`, `executedAt`). */
  addTrade(order: Omit<BookOrder, 'orderId' | 'executionIds'>, executedAt: string): { order: BookOrder; trade: BookTrade } {
    const orderId = String(++this.ids.order);
    const executionId = String(++this.ids.execution);
    const full: BookOrder = { ...order, orderId, executionIds: [executionId] };
    const trade: BookTrade = {
      executionId,
      orderId,
      userId: order.userId,
      marketId: order.marketId,
      side: order.side,
      orderType: order.orderType,
      baseAmount: order.baseAmount,
      quoteAmount: order.quoteAmount,
      price: order.avgExecutionPrice,
      commissionAmount: order.commissionAmount,
      commissionAssetId: order.commissionAssetId,
      orderStatus: order.orderStatus,
      createdAt: order.createdAt,
      executedAt,
    };
    this.orders.push(full);
    this.trades.push(trade);
    this.touch(order.userId);
    return { order: full, trade };
  }

  addOpenOrder(order: Omit<BookOpenOrder, 'orderId'>): BookOpenOrder {
    const full: BookOpenOrder = { orderId: String(++this.ids.order), ...order };
    this.openOrders.push(full);
    this.touch(order.userId);
    return full;
  }

  removeOpenOrder(order: BookOpenOrder): void {
    this.removedOpenOrders.add(order.orderId);
    this.touch(order.userId);
  }

  /** Applies every edit to the book and recomputes the touched users' truth (negative figures allowed). */
  commit(): void {
    const book = this.book;
    if (this.removedOpenOrders.size > 0) book.openOrders = book.openOrders.filter((o) => !this.removedOpenOrders.has(o.orderId));
    book.transfers = mergeByUser(book.transfers, this.transfers, (t) => t.createdAt);
    book.trades = mergeByUser(book.trades, this.trades, (t) => t.executedAt);
    book.orders = mergeByUser(book.orders, this.orders, (o) => o.createdAt);
    book.openOrders = mergeByUser(book.openOrders, this.openOrders, (o) => o.createdAt);
    if (this.touched.size === 0) return;

    const asOf = book.asOf;
    const sinks = new Map<string, HistorySink>();
    for (const userId of this.touched) sinks.set(userId, { transfers: [], orders: [], trades: [], openOrders: [] });
    for (const t of book.transfers) if (t.createdAt <= asOf) sinks.get(t.userId)?.transfers.push(t);
    for (const t of book.trades) if (t.executedAt <= asOf) sinks.get(t.userId)?.trades.push(t);
    for (const o of book.openOrders) sinks.get(o.userId)?.openOrders.push(o);
    for (const [userId, sink] of sinks) {
      const positions = book.index.positionsByUser.get(userId) ?? [];
      const truth = computeTrueBalances({ userId, assets: positions.map((p) => p.asset) }, sink, { allowNegative: true });
      for (const p of positions) {
        const next = truth.get(p.asset);
        if (!next) continue;
        if (next.amount !== p.truth.amount && mirroredKeys(book).has(positionKey(p.userId, p.asset)))
          throw new Error(`a plant changed the truth amount of venue-mirrored ${p.userId} ${p.asset}`);
        p.truth = next;
      }
    }
  }
}

/** The user × asset keys venue accounts mirror. */
export function mirroredKeys(book: Book): ReadonlySet<string> {
  let keys = MIRRORED.get(book);
  if (!keys) {
    keys = new Set(book.venueMappings.map((m) => positionKey(m.userId, m.asset)));
    MIRRORED.set(book, keys);
  }
  return keys;
}
const MIRRORED = new WeakMap<Book, Set<string>>();

/**
 * Files `additions` after the last row of their user (rows of one user are contiguous in generated history),
 * each user's additions in time order; additions of a user without rows go last.
 */
function mergeByUser<T extends { userId: string }>(rows: T[], additions: readonly T[], timeOf: (row: T) => string): T[] {
  if (additions.length === 0) return rows;
  const byUser = new Map<string, T[]>();
  for (const row of additions) {
    const list = byUser.get(row.userId);
    if (list) list.push(row);
    else byUser.set(row.userId, [row]);
  }
  for (const list of byUser.values()) list.sort((a, b) => (timeOf(a) < timeOf(b) ? -1 : timeOf(a) > timeOf(b) ? 1 : 0));
  const out: T[] = [];
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i] as T;
    out.push(row);
    if (rows[i + 1]?.userId === row.userId) continue;
    const own = byUser.get(row.userId);
    if (own) {
      for (const added of own) out.push(added);
      byUser.delete(row.userId);
    }
  }
  for (const rest of byUser.values()) for (const added of rest) out.push(added);
  return out;
}
