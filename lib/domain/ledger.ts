import { Amount } from './money';

/** The kinds of history row a balance rolls forward from, as the evidence of `roll-forward` counts them. */
export const FLOW_KINDS = ['deposits', 'withdrawals', 'buys', 'sells', 'fees'] as const;

/** One of {@link FLOW_KINDS}. */
export type FlowKind = (typeof FLOW_KINDS)[number];

/** One history row's effect on one user × asset balance (signed: a withdrawal is negative). */
export interface Flow {
  userId: string;
  asset: string;
  kind: FlowKind;
  id: string;
  /** ISO time the row took effect (transfer created, trade executed). */
  at: string;
  amount: Amount;
}

/** Count, sum and the latest row ids of one kind of flow. */
export interface FlowTotals {
  count: number;
  sum: Amount;
  latest: { id: string; at: number }[];
}

/** What the history says about one user × asset up to the as-of. */
export interface PositionHistory {
  /** Σ of every flow at or before the as-of. */
  total: Amount;
  /** Σ of the flows inside the grace window just before the as-of, and their ids. */
  recent: Amount;
  recentIds: string[];
  /** Only the kinds the position has rows of. */
  kinds: Partial<Record<FlowKind, FlowTotals>>;
}

const LATEST = 3;

/**
 * Rolls history rows into per user × asset totals as they stream past, so memory grows with the
 * positions, not the rows. Rows after the as-of are ignored (they belong to the next run); rows
 * in the grace window before it are also summed apart, so a difference they explain is in-flight.
 *
 * @example
 * const ledger = new Ledger(asOf, 15 * 60_000);
 * ledger.add({ userId, asset: 'btc', kind: 'deposits', id: 't1', at, amount: Amount.parse('1') });
 * ledger.get(userId, 'btc')?.total // 1
 */
export class Ledger {
  private readonly positions = new Map<string, Map<string, PositionHistory>>();
  private readonly asOf: number;
  private readonly graceStart: number;
  /** Rows seen after the as-of, and so ignored. */
  ignoredAfterAsOf = 0;

  constructor(asOf: Date, graceMs: number) {
    this.asOf = asOf.getTime();
    this.graceStart = this.asOf - graceMs;
  }

  /**
   * Adds one flow (ignored when it is after the as-of). `counted`: the flow is already in the
   * totals this ledger was seeded with (a row read again in the overlap), so it only counts as
   * recent when it falls in the grace window.
   */
  add(flow: Flow, counted = false, atMs?: number): void {
    const at = atMs ?? Date.parse(flow.at);
    if (Number.isNaN(at) || at > this.asOf) {
      this.ignoredAfterAsOf++;
      return;
    }
    const position = this.position(flow.userId, flow.asset);
    if (at >= this.graceStart) {
      position.recent = position.recent.plus(flow.amount);
      position.recentIds.push(flow.id);
    }
    if (counted) return;
    position.total = position.total.plus(flow.amount);
    const totals = flowTotals(position, flow.kind);
    totals.count++;
    totals.sum = totals.sum.plus(flow.amount);
    keepLatest(totals.latest, flow.id, at);
  }

  /** Starts a user × asset from running totals kept by an earlier run (see `lib/history`). */
  seed(userId: string, asset: string, [total, ...kinds]: StoredPosition): void {
    const position = this.position(userId, asset);
    position.total = position.total.plus(Amount.parse(total));
    kinds.forEach((stored, k) => {
      if (!stored) return;
      const [count, sum, ...latest] = stored;
      const target = flowTotals(position, FLOW_KINDS[k] as FlowKind);
      target.count += count;
      target.sum = target.sum.plus(Amount.parse(sum));
      for (let i = 0; i + 1 < latest.length; i += 2) keepLatest(target.latest, String(latest[i]), Number(latest[i + 1]));
    });
  }

  /** The history of one user × asset, if it has any. */
  get(userId: string, asset: string): PositionHistory | undefined {
    return this.positions.get(userId)?.get(asset);
  }

  /** One user's running totals, to keep for the next run (rows up to the as-of, recent ones included). */
  totalsOf(userId: string): Record<string, StoredPosition> {
    const out: Record<string, StoredPosition> = {};
    for (const [asset, position] of this.positions.get(userId) ?? []) {
      const stored: StoredPosition = [position.total.toString()];
      let length = 1;
      for (const kind of FLOW_KINDS) {
        const totals = position.kinds[kind];
        if (!totals) {
          stored.push(0);
          continue;
        }
        const flows: StoredFlows = [totals.count, totals.sum.toString()];
        for (const row of totals.latest) flows.push(row.id, row.at);
        length = stored.push(flows);
      }
      stored.length = length; // kinds without rows at the end are left out
      out[asset] = stored;
    }
    return out;
  }

  private position(userId: string, asset: string): PositionHistory {
    let user = this.positions.get(userId);
    if (!user) {
      user = new Map();
      this.positions.set(userId, user);
    }
    let position = user.get(asset);
    if (!position) {
      position = { total: Amount.ZERO, recent: Amount.ZERO, recentIds: [], kinds: {} };
      user.set(asset, position);
    }
    return position;
  }
}

/**
 * A user × asset's running totals as stored between runs, in arrays rather than objects: a run
 * writes one per position of the book, and keys would be most of the text. `[total, ...kinds]`:
 * the total (a decimal string), then one entry per {@link FLOW_KINDS} kind in that order, `0` when
 * the position has no rows of it; kinds without rows at the end are left out.
 */
export type StoredPosition = [total: string, ...kinds: (StoredFlows | 0)[]];

/** One kind's count, sum (a decimal string) and latest rows, newest first, as id and time (ms) pairs: `[count, sum, id, ms, id, ms, …]`. */
export type StoredFlows = [count: number, sum: string, ...latest: (string | number)[]];

/** Inserts a row into the (at most {@link LATEST}) latest rows, newest first, ties by id. */
function keepLatest(latest: { id: string; at: number }[], id: string, at: number): void {
  let i = latest.length;
  while (i > 0) {
    const before = latest[i - 1] as { id: string; at: number };
    if (before.at > at || (before.at === at && before.id <= id)) break;
    i--;
  }
  if (i >= LATEST) return;
  // Shifted by hand: `splice` would allocate an array of what it removed, for every row of the history.
  let k = latest.length < LATEST ? latest.length : LATEST - 1;
  for (; k > i; k--) latest[k] = latest[k - 1] as { id: string; at: number };
  latest[i] = { id, at };
}

/** A position's totals of one kind, started at zero on its first row. */
function flowTotals(position: PositionHistory, kind: FlowKind): FlowTotals {
  let totals = position.kinds[kind];
  if (!totals) {
    totals = { count: 0, sum: Amount.ZERO, latest: [] };
    position.kinds[kind] = totals;
  }
  return totals;
}

/** A Reporting `transfers` row, as far as the balance is concerned. */
export interface TransferRecord {
  id: string;
  userId: string;
  assetId: string;
  type: 'Deposit' | 'Withdrawal';
  status: string;
  assetAmount: Amount;
  createdAt: string;
}

/** The flow of a transfer: only a `Completed` one moves the balance. */
export function transferFlows(row: TransferRecord): Flow[] {
  if (row.status !== 'Completed') return [];
  const deposit = row.type === 'Deposit';
  return [
    {
      userId: row.userId,
      asset: row.assetId,
      kind: deposit ? 'deposits' : 'withdrawals',
      id: row.id,
      at: row.createdAt,
      amount: deposit ? row.assetAmount : row.assetAmount.negate(),
    },
  ];
}

/** A Reporting `orders/transactions` row (one fill of one order). */
export interface TradeRecord {
  orderId: string;
  executionId: string;
  userId: string;
  marketId: string;
  side: 'Buy' | 'Sell';
  baseAmount: Amount;
  quoteAmount: Amount;
  executedAt: string;
  commissionAmount: Amount;
  commissionAssetId: string;
}

/**
 * The flows of a trade on `base_quote`: Buy is +base −quote, Sell −base +quote, whatever the
 * order's final status (a cancelled order can have fills); the commission is −commissionAmount in
 * its asset. Commissions come from the trade rows only: an order's own commission totals its
 * trades', so counting both would double it.
 */
export function tradeFlows(row: TradeRecord): Flow[] {
  const id = `${row.orderId}/${row.executionId}`;
  const [base, quote] = row.marketId.split('_') as [string, string];
  const buy = row.side === 'Buy';
  const kind: FlowKind = buy ? 'buys' : 'sells';
  const { userId, executedAt: at } = row;
  const flows: Flow[] = [
    { userId, asset: base, kind, id, at, amount: buy ? row.baseAmount : row.baseAmount.negate() },
    { userId, asset: quote, kind, id, at, amount: buy ? row.quoteAmount.negate() : row.quoteAmount },
  ];
  if (!row.commissionAmount.isZero())
    flows.push({ userId, asset: row.commissionAssetId, kind: 'fees', id, at, amount: row.commissionAmount.negate() });
  return flows;
}
