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
  kinds: Record<FlowKind, FlowTotals>;
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
    const totals = position.kinds[flow.kind];
    totals.count++;
    totals.sum = totals.sum.plus(flow.amount);
    keepLatest(totals.latest, flow.id, at);
  }

  /** Starts a user × asset from running totals kept by an earlier run (see `lib/history`). */
  seed(userId: string, asset: string, totals: StoredPosition): void {
    const position = this.position(userId, asset);
    position.total = position.total.plus(Amount.parse(totals.total));
    for (const kind of FLOW_KINDS) {
      const stored = totals.kinds[kind];
      if (!stored) continue;
      const target = position.kinds[kind];
      target.count += stored.count;
      target.sum = target.sum.plus(Amount.parse(stored.sum));
      for (const [id, at] of stored.latest) keepLatest(target.latest, id, at);
    }
  }

  /** The history of one user × asset, if it has any. */
  get(userId: string, asset: string): PositionHistory | undefined {
    return this.positions.get(userId)?.get(asset);
  }

  /** One user's running totals, to keep for the next run (rows up to the as-of, recent ones included). */
  totalsOf(userId: string): Record<string, StoredPosition> {
    const out: Record<string, StoredPosition> = {};
    for (const [asset, position] of this.positions.get(userId) ?? []) {
      const kinds: StoredPosition['kinds'] = {};
      for (const kind of FLOW_KINDS) {
        const totals = position.kinds[kind];
        if (totals.count === 0) continue;
        kinds[kind] = { count: totals.count, sum: totals.sum.toString(), latest: totals.latest.map((row) => [row.id, row.at]) };
      }
      out[asset] = { total: position.total.toString(), kinds };
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
      position = { total: Amount.ZERO, recent: Amount.ZERO, recentIds: [], kinds: emptyKinds() };
      user.set(asset, position);
    }
    return position;
  }
}

/** A user × asset's running totals as stored between runs: decimal strings, the latest ids with their times in ms. */
export interface StoredPosition {
  total: string;
  kinds: Partial<Record<FlowKind, { count: number; sum: string; latest: [string, number][] }>>;
}

/** Inserts a row into the (at most {@link LATEST}) latest rows, newest first, ties by id. */
function keepLatest(latest: { id: string; at: number }[], id: string, at: number): void {
  let i = latest.length;
  while (i > 0) {
    const before = latest[i - 1] as { id: string; at: number };
    if (before.at > at || (before.at === at && before.id <= id)) break;
    i--;
  }
  if (i >= LATEST) return;
  latest.splice(i, 0, { id, at });
  if (latest.length > LATEST) latest.length = LATEST;
}

function emptyKinds(): Record<FlowKind, FlowTotals> {
  const empty = (): FlowTotals => ({ count: 0, sum: Amount.ZERO, latest: [] });
  return { deposits: empty(), withdrawals: empty(), buys: empty(), sells: empty(), fees: empty() };
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
  const [base, quote] = row.marketId.split('_') as [string, string];
  const id = `${row.orderId}/${row.executionId}`;
  const kind: FlowKind = row.side === 'Buy' ? 'buys' : 'sells';
  const buy = row.side === 'Buy';
  const flow = (asset: string, amount: Amount, flowKind: FlowKind): Flow => ({
    userId: row.userId,
    asset,
    kind: flowKind,
    id,
    at: row.executedAt,
    amount,
  });
  const flows = [
    flow(base, buy ? row.baseAmount : row.baseAmount.negate(), kind),
    flow(quote, buy ? row.quoteAmount.negate() : row.quoteAmount, kind),
  ];
  if (!row.commissionAmount.isZero()) flows.push(flow(row.commissionAssetId, row.commissionAmount.negate(), 'fees'));
  return flows;
}
