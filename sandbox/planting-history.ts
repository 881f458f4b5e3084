import { MARKETS, marketById } from './assets';
import { reservationOf } from './balances';
import type { BookOpenOrder, BookTrade, BookTransfer, Market, OrderSide, PlantedCheck, PlantedDiscrepancy, Position } from './book-types';
import { type Decimal, divRoundHalfUp, formatFixed, formatUnits, minBigint, parseDecimal, pow10 } from './decimal';
import { openOrderTerms, quoteFor } from './history';
import {
  AFTER_AS_OF_OFFSET_US,
  IN_FLIGHT_DEPOSIT_OFFSET_US,
  IN_FLIGHT_TRADE_OFFSET_US,
  NoCandidateError,
  type PlantContext,
  type Planter,
} from './plant-context';
import type { Rng } from './random';
import { isoFromMicros } from './time';
import { FEE_GROUP_BPS } from './user-profiles';
import { shiftViews } from './views';

const fmt = (p: Position, units: bigint): string => formatUnits(units, p.scale);

/** A planted discrepancy on one position, its figures at the position's scale (difference = actual − expected). */
export function discrepancy(
  check: PlantedCheck,
  p: Position,
  field: string,
  expected: bigint,
  actual: bigint,
  description: string,
): PlantedDiscrepancy {
  return {
    check,
    userId: p.userId,
    asset: p.asset,
    field,
    expected: fmt(p, expected),
    actual: fmt(p, actual),
    difference: fmt(p, actual - expected),
    description,
  };
}

/** A deposit-sized amount: 0.01 to 10 whole units (at least one unit), all 18 decimals used on 18-decimal assets. */
function someAmount(rng: Rng, scale: number): bigint {
  const whole = pow10(scale);
  let amount = rng.bigint(whole / 100n > 0n ? whole / 100n : 1n, whole * 10n);
  if (scale === 18 && amount % 10n === 0n) amount += BigInt(rng.int(1, 9));
  return amount;
}

const markets = (asset: string, role: 'base' | 'quote'): Market[] => MARKETS.filter((m) => m[role] === asset);

/** Base and quote units of a market-priced fill worth `pct`% of what the paying side has available, if any. */
function sizeFill(
  side: OrderSide,
  base: Position,
  quote: Position,
  price: Decimal,
  pct: bigint,
): { base: bigint; quote: bigint } | undefined {
  if (side === 'Sell') {
    const amount = (base.reporting.availableAssetAmount * pct) / 100n;
    const q = amount >= 1n ? quoteFor(amount, price, base.scale, quote.scale) : 0n;
    return q >= 1n ? { base: amount, quote: q } : undefined;
  }
  const budget = (quote.reporting.availableAssetAmount * pct) / 100n;
  const amount = (budget * pow10(base.scale + price.scale)) / (price.units * pow10(quote.scale));
  if (amount < 1n) return undefined;
  const q = quoteFor(amount, price, base.scale, quote.scale);
  return q >= 1n && q <= quote.reporting.availableAssetAmount ? { base: amount, quote: q } : undefined;
}

/** A resting limit order of `steps` steps on a market (limit a few % off the reference price, away from the market). */
function openOrder(
  ctx: PlantContext,
  userId: string,
  market: Market,
  side: OrderSide,
  steps: (terms: { baseStep: bigint; stepCost: bigint }) => bigint,
): Omit<BookOpenOrder, 'orderId'> | undefined {
  const terms = openOrderTerms(market.id);
  const limit =
    side === 'Buy'
      ? (terms.refAtLimit * BigInt(ctx.rng.int(80, 97))) / 100n
      : (terms.refAtLimit * BigInt(ctx.rng.int(103, 125))) / 100n + 1n;
  if (limit < 1n) return undefined;
  const stepCost = limit * terms.stepCostPerLimitUnit;
  const n = steps({ baseStep: terms.baseStep, stepCost });
  const remaining = n * terms.baseStep;
  const notional = n * stepCost;
  const createdUs = ctx.history.nextUs(userId, ctx.rng);
  return {
    userId,
    marketId: market.id,
    side,
    orderType: 'Limit',
    baseAmount: remaining,
    quoteAmount: notional,
    limitPrice: formatFixed(limit, terms.limitDecimals),
    filledAmount: 0n,
    remainingAmount: remaining,
    reservedAssetId: side === 'Buy' ? market.quote : market.base,
    reservedAmount: side === 'Buy' ? notional : remaining,
    createdAt: isoFromMicros(createdUs),
    updatedAt: isoFromMicros(createdUs + 1000),
  };
}

// ---- roll-forward: in flight, edge cases, discrepancies ------------------------------------------------------

/** A Completed trade executed 120 s before asOf that neither balance reflects yet: two in-flight positions. */
export const inFlightTrade: Planter = {
  check: 'roll-forward',
  name: 'trade executed 120 s before asOf, not yet in the balances',
  optional: true,
  plant(ctx) {
    const pairOf = (p: Position): [Position, Position] | undefined => {
      if (ctx.isMirrored(p)) return undefined;
      for (const m of markets(p.asset, 'base')) {
        const q = ctx.position(p.userId, m.quote);
        if (!q || !ctx.isFree(q) || ctx.isMirrored(q)) continue;
        const price = parseDecimal(m.referencePrice);
        if (sizeFill('Sell', p, q, price, 30n) || sizeFill('Buy', p, q, price, 30n)) return [p, q];
      }
      return undefined;
    };
    const { positions } = ctx.takeFrom(ctx.book.positions, pairOf, 'base and quote positions of one user, neither venue-mirrored,');
    const [base, quote] = positions as [Position, Position];
    const market = marketById(`${base.asset}_${quote.asset}`);
    const price = parseDecimal(market.referencePrice);
    const pct = BigInt(ctx.rng.int(5, 30));
    const preferred: OrderSide = ctx.rng.chance(0.5) ? 'Buy' : 'Sell';
    const other: OrderSide = preferred === 'Buy' ? 'Sell' : 'Buy';
    let side = preferred;
    let fill = sizeFill(preferred, base, quote, price, pct) ?? sizeFill(preferred, base, quote, price, 30n);
    if (!fill) {
      side = other;
      fill = sizeFill(other, base, quote, price, pct) ?? sizeFill(other, base, quote, price, 30n);
    }
    if (!fill) throw new Error('in-flight trade: a pair chosen as feasible has no fill');
    const user = ctx.book.index.usersById.get(base.userId);
    const bps = FEE_GROUP_BPS[user?.feeGroupId ?? ''] ?? 0n;
    const received = side === 'Buy' ? fill.base : fill.quote;
    const commission = (received * bps) / 10_000n;
    const executedAt = ctx.history.at(IN_FLIGHT_TRADE_OFFSET_US);
    const { trade } = ctx.history.addTrade(
      {
        userId: base.userId,
        marketId: market.id,
        side,
        orderType: 'Market',
        baseAmount: fill.base,
        quoteAmount: fill.quote,
        remainingAmount: 0n,
        avgExecutionPrice: formatFixed(
          divRoundHalfUp(fill.quote * pow10(base.scale + price.scale), fill.base * pow10(quote.scale)),
          price.scale,
        ),
        commissionAmount: commission,
        commissionAssetId: side === 'Buy' ? market.base : market.quote,
        orderStatus: 'Completed',
        createdAt: ctx.history.at(IN_FLIGHT_TRADE_OFFSET_US - 1_000_000),
        updatedAt: executedAt,
      },
      executedAt,
    );
    const baseFlow = side === 'Buy' ? fill.base - commission : -fill.base;
    const quoteFlow = side === 'Buy' ? -fill.quote : fill.quote - commission;
    for (const [p, flow] of [
      [base, baseFlow],
      [quote, quoteFlow],
    ] as const) {
      ctx.addInFlight({
        check: 'roll-forward',
        userId: p.userId,
        asset: p.asset,
        explainedBy: [trade.executionId],
        difference: fmt(p, -flow),
      });
    }
    return [];
  },
};

/** A Completed deposit on an unmirrored position, dated `offsetUs` from asOf, that no balance reflects. */
function unreflectedDeposit(ctx: Parameters<Planter['plant']>[0], offsetUs: number) {
  const p = ctx.take((c) => !ctx.isMirrored(c), 'unmirrored');
  const amount = someAmount(ctx.rng, p.scale);
  const row = ctx.history.addTransfer(ctx.rng, {
    userId: p.userId,
    assetId: p.asset,
    type: 'Deposit',
    status: 'Completed',
    amount,
    createdAt: ctx.history.at(offsetUs),
  });
  return { p, amount, row };
}

/** A Completed deposit created 60 s before asOf that neither balance reflects yet. */
export const inFlightDeposit: Planter = {
  check: 'roll-forward',
  name: 'deposit created 60 s before asOf, not yet in the balances',
  optional: true,
  plant(ctx) {
    const { p, amount, row } = unreflectedDeposit(ctx, IN_FLIGHT_DEPOSIT_OFFSET_US);
    ctx.addInFlight({ check: 'roll-forward', userId: p.userId, asset: p.asset, explainedBy: [row.id], difference: fmt(p, -amount) });
    return [];
  },
};

/** Edge: a Completed deposit created one hour after asOf, in no balance; a run as of asOf must ignore it. */
export const afterAsOfDeposit: Planter = {
  check: 'roll-forward',
  name: 'deposit created one hour after asOf',
  optional: true,
  plant(ctx) {
    const { p, amount, row } = unreflectedDeposit(ctx, AFTER_AS_OF_OFFSET_US);
    ctx.addEdgeCase({
      check: 'roll-forward',
      kind: 'after-as-of',
      userId: p.userId,
      asset: p.asset,
      rowIds: [row.id],
      description: `transfers row ${row.id}: Completed deposit of ${fmt(p, amount)} ${p.asset} created at ${row.createdAt} (asOf + 1 h), in no balance`,
    });
    return [];
  },
};

/** Edge: a Cancelled order with fills, whose fills move both positions (one listed, its positions left unplanted). */
export const cancelledWithFills: Planter = {
  check: 'roll-forward',
  name: 'cancelled order with fills',
  optional: true,
  plant(ctx) {
    const { row: order, positions } = ctx.takeFrom(
      ctx.book.orders,
      (o) => {
        if (o.orderStatus !== 'Cancelled') return undefined;
        const m = marketById(o.marketId);
        const base = ctx.position(o.userId, m.base);
        const quote = ctx.position(o.userId, m.quote);
        return base && quote ? [base, quote] : undefined;
      },
      'cancelled order with both positions',
    );
    for (const p of positions) {
      ctx.addEdgeCase({
        check: 'roll-forward',
        kind: 'cancelled-with-fills',
        userId: p.userId,
        asset: p.asset,
        rowIds: [...order.executionIds],
        description: `orders row ${order.orderId} is Cancelled with ${order.executionIds.length} fill(s) on ${order.marketId}: they count`,
      });
    }
    return [];
  },
};

const phantomDeposit: Planter = {
  check: 'roll-forward',
  name: 'Completed deposit in transfers that no balance reflects',
  optional: true,
  plant(ctx) {
    const p = ctx.take((c) => !ctx.isMirrored(c), 'unmirrored');
    const amount = someAmount(ctx.rng, p.scale);
    const row = ctx.history.addTransfer(ctx.rng, {
      userId: p.userId,
      assetId: p.asset,
      type: 'Deposit',
      status: 'Completed',
      amount,
      createdAt: ctx.history.next(p.userId, ctx.rng),
    });
    const balance = p.reporting.assetAmount;
    return discrepancy(
      'roll-forward',
      p,
      'assetAmount',
      balance + amount,
      balance,
      `transfers row ${row.id} (Completed deposit of ${fmt(p, amount)}) is in no balance: history implies ${fmt(p, balance + amount)}, Reporting assetAmount ${fmt(p, balance)}`,
    );
  },
};

const inflatedCommission: Planter = {
  check: 'roll-forward',
  name: 'trade commission higher than the balance reflects',
  optional: true,
  plant(ctx) {
    const { row: trade, positions } = ctx.takeFrom<BookTrade>(
      ctx.book.trades,
      (t) => {
        if (t.commissionAmount <= 0n) return undefined;
        const p = ctx.position(t.userId, t.commissionAssetId);
        return p && !ctx.isMirrored(p) ? [p] : undefined;
      },
      'unmirrored commission position of a trade with a commission',
    );
    const p = positions[0] as Position;
    const extra = ctx.rng.bigint(1n, trade.commissionAmount);
    trade.commissionAmount += extra;
    const order = ctx.book.orders.find((o) => o.orderId === trade.orderId);
    if (order) order.commissionAmount += extra;
    ctx.history.touch(trade.userId);
    const balance = p.reporting.assetAmount;
    return discrepancy(
      'roll-forward',
      p,
      'assetAmount',
      balance - extra,
      balance,
      `orders/transactions row ${trade.executionId} (order ${trade.orderId}) charges ${fmt(p, trade.commissionAmount)} commission, ${fmt(p, extra)} more than the balance reflects`,
    );
  },
};

const withdrawalMissingFromHistory: Planter = {
  check: 'roll-forward',
  name: 'withdrawal in the balances but missing from transfers',
  optional: true,
  plant(ctx) {
    const p = ctx.take((c) => !ctx.isMirrored(c) && c.reporting.availableAssetAmount >= 1n, 'unmirrored, with funds available,');
    const amount = ctx.rng.bigint(1n, minBigint(p.reporting.availableAssetAmount, pow10(p.scale) * 10n));
    const history = p.reporting.assetAmount;
    shiftViews(p, { amount: -amount });
    return discrepancy(
      'roll-forward',
      p,
      'assetAmount',
      history,
      p.reporting.assetAmount,
      `both views are ${fmt(p, amount)} below what transfers and trades imply (a withdrawal missing from history)`,
    );
  },
};

// ---- locked-orders ------------------------------------------------------------------------------------------

const isPendingWithdrawal = (t: BookTransfer) => t.type === 'Withdrawal' && (t.status === 'Pending' || t.status === 'AwaitingConfirmation');

const failedButLocked: Planter = {
  check: 'locked-orders',
  name: 'pending withdrawal listed as Failed while its lock stays',
  optional: true,
  plant(ctx) {
    let p: Position;
    let row: BookTransfer;
    try {
      const taken = ctx.takeFrom(
        ctx.book.transfers,
        (t) => {
          const position = isPendingWithdrawal(t) ? ctx.position(t.userId, t.assetId) : undefined;
          return position ? [position] : undefined;
        },
        'position with a pending withdrawal',
      );
      p = taken.positions[0] as Position;
      row = taken.row;
      row.status = 'Failed';
      ctx.history.touch(p.userId);
    } catch (error) {
      if (!(error instanceof NoCandidateError)) throw error;
      // no generated pending withdrawal left: lock one in both views that transfers lists as Failed
      p = ctx.take((c) => c.reporting.availableAssetAmount >= 1n, 'position with funds available');
      const amount = ctx.rng.bigint(1n, minBigint(p.reporting.availableAssetAmount, pow10(p.scale) * 10n));
      row = ctx.history.addTransfer(ctx.rng, {
        userId: p.userId,
        assetId: p.asset,
        type: 'Withdrawal',
        status: 'Failed',
        amount,
        createdAt: ctx.history.next(p.userId, ctx.rng),
      });
      shiftViews(p, { locked: amount });
    }
    const locked = p.reporting.lockedAssetAmount;
    return discrepancy(
      'locked-orders',
      p,
      'lockedAssetAmount',
      locked - row.amount,
      locked,
      `transfers row ${row.id} (withdrawal of ${fmt(p, row.amount)}) is listed as Failed, but lockedAssetAmount still holds it`,
    );
  },
};

const extraOpenOrder: Planter = {
  check: 'locked-orders',
  name: 'open order in orders/opened that the balance does not lock',
  optional: true,
  plant(ctx) {
    const p = ctx.take((c) => markets(c.asset, 'base').length + markets(c.asset, 'quote').length > 0, 'tradable');
    const options = [
      ...markets(p.asset, 'base').map((m) => ({ m, side: 'Sell' as const })),
      ...markets(p.asset, 'quote').map((m) => ({ m, side: 'Buy' as const })),
    ];
    // markets whose other asset the user holds first, from a random start; a Buy priced below 1 step is skipped
    const holds = (m: Market) => ctx.position(p.userId, m.base === p.asset ? m.quote : m.base) !== undefined;
    const start = ctx.rng.int(0, options.length - 1);
    const rotated = options.map((_, k) => options[(start + k) % options.length] as (typeof options)[number]);
    const pool = [...rotated.filter(({ m }) => holds(m)), ...rotated.filter(({ m }) => !holds(m))];
    let order: Omit<BookOpenOrder, 'orderId'> | undefined;
    for (let k = 0; k < pool.length && !order; k++) {
      const { m, side } = pool[k] as (typeof pool)[number];
      order = openOrder(ctx, p.userId, m, side, ({ baseStep, stepCost }) => {
        const perStep = side === 'Sell' ? baseStep : stepCost;
        const most = p.reporting.availableAssetAmount / 2n / perStep;
        return ctx.rng.bigint(1n, most > 1n ? most : 1n);
      });
    }
    if (!order) throw new Error(`no open order can reserve ${p.asset}`);
    const added = ctx.history.addOpenOrder(order);
    const locked = p.reporting.lockedAssetAmount;
    return discrepancy(
      'locked-orders',
      p,
      'lockedAssetAmount',
      locked + added.reservedAmount,
      locked,
      `orders/opened row ${added.orderId} (${added.side} ${added.marketId}) reserves ${fmt(p, added.reservedAmount)} that lockedAssetAmount does not hold`,
    );
  },
};

const missingOpenOrder: Planter = {
  check: 'locked-orders',
  name: 'open order locked in the balance but missing from orders/opened',
  optional: true,
  plant(ctx) {
    const { row: order, positions } = ctx.takeFrom(
      ctx.book.openOrders,
      (o) => {
        const p = ctx.position(o.userId, reservationOf(o).asset);
        return p ? [p] : undefined;
      },
      'position with an open order',
    );
    const p = positions[0] as Position;
    ctx.history.removeOpenOrder(order);
    const locked = p.reporting.lockedAssetAmount;
    return discrepancy(
      'locked-orders',
      p,
      'lockedAssetAmount',
      locked - order.reservedAmount,
      locked,
      `open order ${order.orderId} (${order.side} ${order.marketId}) reserves ${fmt(p, order.reservedAmount)} in lockedAssetAmount but is missing from orders/opened`,
    );
  },
};

// ---- sanity -------------------------------------------------------------------------------------------------

const overReservingSell: Planter = {
  check: 'sanity',
  name: 'open Sell order reserving more than the balance',
  optional: true,
  plant(ctx) {
    const p = ctx.take((c) => !ctx.isMirrored(c) && markets(c.asset, 'base').length > 0, 'unmirrored base-asset');
    const market = ctx.rng.pick(markets(p.asset, 'base'));
    const available = p.reporting.availableAssetAmount;
    const order = openOrder(ctx, p.userId, market, 'Sell', ({ baseStep }) => available / baseStep + 1n + BigInt(ctx.rng.int(0, 2)));
    if (!order) throw new Error('a Sell order always has a limit price');
    const added = ctx.history.addOpenOrder(order);
    shiftViews(p, { locked: added.reservedAmount });
    const r = p.reporting;
    return discrepancy(
      'sanity',
      p,
      'available',
      0n,
      r.availableAssetAmount,
      `orders/opened row ${added.orderId} sells ${fmt(p, added.remainingAmount)} ${p.asset}, more than the ${fmt(p, available)} available: locked ${fmt(p, r.lockedAssetAmount)} > amount ${fmt(p, r.assetAmount)}, available negative`,
    );
  },
};

const overdrawingWithdrawal: Planter = {
  check: 'sanity',
  name: 'Completed withdrawal larger than the balance',
  optional: true,
  plant(ctx) {
    const p = ctx.take((c) => !ctx.isMirrored(c), 'unmirrored');
    const amount = p.reporting.assetAmount + ctx.rng.bigint(1n, pow10(p.scale));
    const row = ctx.history.addTransfer(ctx.rng, {
      userId: p.userId,
      assetId: p.asset,
      type: 'Withdrawal',
      status: 'Completed',
      amount,
      createdAt: ctx.history.next(p.userId, ctx.rng),
    });
    shiftViews(p, { amount: -amount });
    return discrepancy(
      'sanity',
      p,
      'amount',
      0n,
      p.reporting.assetAmount,
      `transfers row ${row.id} withdrew ${fmt(p, amount)} (Completed), more than the balance: amount ${fmt(p, p.reporting.assetAmount)} in history and both views`,
    );
  },
};

// ---- presence of positions ------------------------------------------------------------------------------------

const absentFromReporting: Planter = {
  check: 'presence',
  name: 'position in the back office but not in Reporting users/balances',
  optional: true,
  plant(ctx) {
    const p = ctx.take((c) => !ctx.isMirrored(c) && c.backOffice.amount !== 0n, 'unmirrored non-zero');
    p.inReporting = false;
    return discrepancy(
      'presence',
      p,
      'absent-from-reporting',
      p.backOffice.amount,
      0n,
      `back office holds ${fmt(p, p.backOffice.amount)} ${p.asset}; Reporting users/balances has no row for it`,
    );
  },
};

const absentFromBackOffice: Planter = {
  check: 'presence',
  name: 'position in Reporting users/balances but not in the back office',
  optional: true,
  plant(ctx) {
    const p = ctx.take((c) => !ctx.isMirrored(c) && c.reporting.assetAmount !== 0n, 'unmirrored non-zero');
    p.inBackOffice = false;
    return discrepancy(
      'presence',
      p,
      'absent-from-backoffice',
      p.reporting.assetAmount,
      0n,
      `Reporting shows ${fmt(p, p.reporting.assetAmount)} ${p.asset}; the back office lists no balance for it`,
    );
  },
};

/** The roll-forward plants (discrepancies, in-flight rows, edge cases), in planting order. */
export const ROLL_FORWARD_PLANTERS: readonly Planter[] = [
  inFlightTrade,
  inFlightDeposit,
  afterAsOfDeposit,
  cancelledWithFills,
  phantomDeposit,
  inflatedCommission,
  withdrawalMissingFromHistory,
];
/** The locked-orders plants. */
export const LOCKED_ORDERS_PLANTERS: readonly Planter[] = [failedButLocked, extraOpenOrder, missingOpenOrder];
/** The sanity plants. */
export const SANITY_PLANTERS: readonly Planter[] = [overReservingSell, overdrawingWithdrawal];
/** The position-level presence plants. */
export const POSITION_PRESENCE_PLANTERS: readonly Planter[] = [absentFromReporting, absentFromBackOffice];
