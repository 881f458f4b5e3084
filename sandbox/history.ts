import { ASSETS, MARKETS } from './assets';
import type {
  BookOpenOrder,
  BookOrder,
  BookTrade,
  BookTransfer,
  IdCounters,
  Market,
  OrderSide,
  OrderStatus,
  OrderType,
  TransferStatus,
} from './book-types';
import { type Decimal, divRoundHalfUp, formatFixed, parseDecimal, parseUnits, pow10 } from './decimal';
import type { Rng, Weighted } from './random';
import { isoFromMicros } from './time';

/** The amount the whale position starts with: 2^53 + 1 whole shib with all 18 decimals used. */
export const WHALE_DEPOSIT = '9007199254740993.123456789012345678';
/** The asset of the whale position. */
export const WHALE_ASSET = 'shib';

export type { IdCounters } from './book-types';

/** Where one book's generated history rows are appended. */
export interface HistorySink {
  transfers: BookTransfer[];
  orders: BookOrder[];
  trades: BookTrade[];
  openOrders: BookOpenOrder[];
}

/** Everything needed to generate one user's history. */
export interface UserHistoryInput {
  userId: string;
  createdAtUs: number;
  asOfUs: number;
  heldAssets: readonly string[];
  feeBps: bigint;
  whale: boolean;
}

const ASSET_INDEX = new Map(ASSETS.map((a, i) => [a.id, i]));
const SCALE = ASSETS.map((a) => a.scale);
const IS_FIAT = ASSETS.map((a) => a.id === 'usd');

/** Deposit size range per asset, in whole units (min, max). */
const DEPOSIT_RANGE: Readonly<Record<string, readonly [string, string]>> = {
  usd: ['50', '50000'],
  usdt: ['50', '50000'],
  btc: ['0.01', '3'],
  eth: ['0.1', '40'],
  ada: ['100', '200000'],
  shib: ['1000000', '5000000000'],
};
const DEPOSIT_UNITS = ASSETS.map((a) => {
  const [min, max] = DEPOSIT_RANGE[a.id] ?? ['1', '10'];
  return [parseUnits(min, a.scale), parseUnits(max, a.scale)] as const;
});

interface MarketPlan {
  market: Market;
  base: number;
  quote: number;
  price: Decimal;
  /** decimals of open-order limit prices: integers for prices ≥ 100, else cents */
  limitDecimals: number;
}
const MARKET_PLANS: MarketPlan[] = MARKETS.map((market) => {
  const price = parseDecimal(market.referencePrice);
  return {
    market,
    base: ASSET_INDEX.get(market.base) as number,
    quote: ASSET_INDEX.get(market.quote) as number,
    price,
    limitDecimals: price.units >= 100n * pow10(price.scale) ? 0 : 2,
  };
});

/**
 * How resting limit orders on a market are sized and priced: limit prices have `limitDecimals` decimals
 * (integers for prices ≥ 100, else cents), `remainingAmount` moves in steps of `baseStep` base units so that
 * remaining × limitPrice is exact at the quote scale, and `refAtLimit` is the reference price at those decimals.
 */
export function openOrderTerms(marketId: string): {
  baseStep: bigint;
  limitDecimals: number;
  refAtLimit: bigint;
  /** quote units one step reserves per unit of the limit price (at `limitDecimals`) */
  stepCostPerLimitUnit: bigint;
} {
  const plan = MARKET_PLANS.find((m) => m.market.id === marketId);
  if (!plan) throw new RangeError(`unknown market ${marketId}`);
  const bs = SCALE[plan.base] as number;
  const qs = SCALE[plan.quote] as number;
  const p = plan.limitDecimals;
  const r = Math.min(bs, qs - p);
  return {
    baseStep: pow10(bs - r),
    limitDecimals: p,
    refAtLimit: (plan.price.units * pow10(p)) / pow10(plan.price.scale),
    stepCostPerLimitUnit: pow10(qs - r - p),
  };
}

const ORDER_TYPES: readonly Weighted<OrderType>[] = [
  ['Market', 50],
  ['Limit', 40],
  ['MarketFOK', 10],
];

/** Time slots one user's history (or one user's new activity) may use; each event advances the clock by at most span/SLOTS. */
const SLOTS = 96;

/** Hands out strictly increasing instants strictly between `fromUs` and `toUs` (at most `SLOTS` of them). */
class Clock {
  private t: number;
  private used = 0;
  private readonly step: number;

  constructor(
    private readonly rng: Rng,
    fromUs: number,
    toUs: number,
  ) {
    this.t = fromUs;
    this.step = Math.max(1, Math.floor((toUs - fromUs) / (SLOTS + 1)));
  }

  next(): number {
    if (++this.used > SLOTS) throw new Error('history clock ran out of slots');
    this.t += this.rng.int(1, this.step);
    return this.t;
  }

  /** How many more instants `next` can hand out. */
  remaining(): number {
    return SLOTS - this.used;
  }
}

/** Appends one transfer dated at the clock's next instant (on-chain assets get an external transaction hash). */
function pushTransfer(
  rng: Rng,
  clock: Clock,
  ids: IdCounters,
  sink: HistorySink,
  userId: string,
  asset: number,
  type: 'Deposit' | 'Withdrawal',
  status: TransferStatus,
  amount: bigint,
): void {
  const countsOnChain = status === 'Completed' || status === 'Pending';
  sink.transfers.push({
    id: String(++ids.transfer),
    userId,
    assetId: (ASSETS[asset] as { id: string }).id,
    type,
    status,
    amount,
    createdAt: isoFromMicros(clock.next()),
    externalId: countsOnChain && !IS_FIAT[asset] ? `0x${rng.hex(64)}` : '',
  });
}

/** A deposit amount in the asset's usual range, using all 18 decimals on 18-decimal assets. */
function depositAmount(rng: Rng, asset: number): bigint {
  const [min, max] = DEPOSIT_UNITS[asset] as readonly [bigint, bigint];
  let amount = rng.bigint(min, max);
  if (SCALE[asset] === 18 && amount % 10n === 0n) amount += BigInt(rng.int(1, 9)); // all 18 decimals used
  return amount;
}

/** 1–9 units of the last decimal that make both `amount` and `available` end in a non-zero digit. */
function dustFor(rng: Rng, amount: bigint, available: bigint): bigint {
  let dust = BigInt(rng.int(1, 9));
  while ((amount + dust) % 10n === 0n || (available + dust) % 10n === 0n) dust = (dust % 9n) + 1n;
  return dust;
}

/**
 * Generates one user's history (deposits, trades grouped in orders, withdrawals, then open orders and
 * pending withdrawals) keeping a running ledger so that no balance ever goes negative.
 */
export function generateUserHistory(rng: Rng, input: UserHistoryInput, ids: IdCounters, sink: HistorySink): void {
  const { userId, feeBps } = input;
  const clock = new Clock(rng, input.createdAtUs, input.asOfUs);
  const held = input.heldAssets.map((a) => ASSET_INDEX.get(a) as number);
  const heldSet = new Set(held);
  const protectedAsset = input.whale ? (ASSET_INDEX.get(WHALE_ASSET) as number) : -1;
  const free: bigint[] = ASSETS.map(() => 0n);
  const locked: bigint[] = ASSETS.map(() => 0n);
  const markets = MARKET_PLANS.filter((p) => heldSet.has(p.base) && heldSet.has(p.quote));

  const transfer = (asset: number, type: 'Deposit' | 'Withdrawal', status: TransferStatus, amount: bigint): void =>
    pushTransfer(rng, clock, ids, sink, userId, asset, type, status, amount);

  // 1. deposits
  if (input.whale) {
    const whale = ASSET_INDEX.get(WHALE_ASSET) as number;
    const amount = parseUnits(WHALE_DEPOSIT, SCALE[whale] as number);
    transfer(whale, 'Deposit', 'Completed', amount);
    free[whale] = (free[whale] as bigint) + amount;
  }
  for (const asset of held) {
    const deposits = rng.int(1, 3);
    for (let i = 0; i < deposits; i++) {
      const amount = depositAmount(rng, asset);
      // now and then a deposit attempt fails or is cancelled first (it moves nothing)
      if (rng.chance(0.1)) transfer(asset, 'Deposit', rng.pick(['Failed', 'Cancelled'] as const), amount);
      transfer(asset, 'Deposit', 'Completed', amount);
      free[asset] = (free[asset] as bigint) + amount;
    }
  }

  // 2. activity: orders and completed withdrawals, interleaved
  const activity: ('order' | 'withdrawal')[] = [];
  const orderCount = markets.length > 0 ? rng.int(0, 6) : 0;
  for (let i = 0; i < orderCount; i++) activity.push('order');
  for (let i = rng.int(0, 2); i > 0; i--) activity.push('withdrawal');
  for (const kind of rng.shuffle(activity)) {
    if (kind === 'order') generateOrder(rng, userId, feeBps, markets, protectedAsset, free, clock, ids, sink);
    else {
      const candidates = held.filter((a) => a !== protectedAsset && (free[a] as bigint) > 0n);
      if (candidates.length === 0) continue;
      const asset = rng.pick(candidates);
      const amount = ((free[asset] as bigint) * BigInt(rng.int(10, 50))) / 100n;
      if (amount <= 0n) continue;
      if (rng.chance(0.1)) transfer(asset, 'Withdrawal', rng.pick(['Failed', 'Cancelled'] as const), amount);
      transfer(asset, 'Withdrawal', 'Completed', amount);
      free[asset] = (free[asset] as bigint) - amount;
    }
  }

  // 3. what still locks funds at asOf: resting limit orders and withdrawals not yet completed
  const openCount =
    markets.length === 0
      ? 0
      : rng.weighted<number>([
          [0, 55],
          [1, 30],
          [2, 15],
        ]);
  for (let i = 0; i < openCount; i++) generateOpenOrder(rng, userId, markets, protectedAsset, free, locked, clock, ids, sink);
  if (rng.chance(0.15)) {
    const candidates = held.filter((a) => a !== protectedAsset && (free[a] as bigint) - (locked[a] as bigint) > 0n);
    if (candidates.length > 0) {
      const asset = rng.pick(candidates);
      const amount = (((free[asset] as bigint) - (locked[asset] as bigint)) * BigInt(rng.int(10, 50))) / 100n;
      if (amount > 0n) {
        transfer(asset, 'Withdrawal', rng.pick(['Pending', 'AwaitingConfirmation'] as const), amount);
        locked[asset] = (locked[asset] as bigint) + amount;
      }
    }
  }

  // 4. a dust deposit where needed so every 18-decimal amount and available uses all 18 decimals
  for (const asset of held) {
    if (SCALE[asset] !== 18) continue;
    const amount = free[asset] as bigint;
    const available = amount - (locked[asset] as bigint);
    if (amount % 10n !== 0n && available % 10n !== 0n) continue;
    const dust = dustFor(rng, amount, available);
    transfer(asset, 'Deposit', 'Completed', dust);
    free[asset] = amount + dust;
  }
}

/** quote units for `base` units at `price` (quote per base), rounded half-up at the quote scale. */
export function quoteFor(base: bigint, price: Decimal, baseScale: number, quoteScale: number): bigint {
  return divRoundHalfUp(base * price.units * pow10(quoteScale), pow10(baseScale + price.scale));
}

function generateOrder(
  rng: Rng,
  userId: string,
  feeBps: bigint,
  markets: readonly MarketPlan[],
  protectedAsset: number,
  free: bigint[],
  clock: Clock,
  ids: IdCounters,
  sink: HistorySink,
  completedOnly = false,
): void {
  const plan = rng.pick(markets);
  const bs = SCALE[plan.base] as number;
  const qs = SCALE[plan.quote] as number;
  let side: OrderSide = rng.chance(0.5) ? 'Buy' : 'Sell';
  if ((side === 'Buy' ? plan.quote : plan.base) === protectedAsset) side = side === 'Buy' ? 'Sell' : 'Buy';
  const orderType = rng.weighted(ORDER_TYPES);
  const createdUs = clock.next();
  const orderId = String(++ids.order);
  const fills: BookTrade[] = [];
  const createdAt = isoFromMicros(createdUs);
  let baseSum = 0n;
  let quoteSum = 0n;
  let commissionSum = 0n;
  const tradeCount = rng.int(1, 3);
  for (let i = 0; i < tradeCount; i++) {
    const price: Decimal = {
      units: (plan.price.units * BigInt(10_000 + rng.int(-150, 150))) / 10_000n,
      scale: plan.price.scale,
    };
    const pct = BigInt(rng.int(5, 30));
    let base: bigint;
    if (side === 'Buy') {
      const budget = ((free[plan.quote] as bigint) * pct) / 100n;
      const maxBase = (budget * pow10(bs + price.scale)) / (price.units * pow10(qs));
      if (maxBase < 1n) break;
      base = rng.bigint(maxBase / 4n > 0n ? maxBase / 4n : 1n, maxBase);
    } else {
      const budget = ((free[plan.base] as bigint) * pct) / 100n;
      if (budget < 1n) break;
      base = rng.bigint(budget / 4n > 0n ? budget / 4n : 1n, budget);
    }
    const quote = quoteFor(base, price, bs, qs);
    if (quote < 1n) break;
    const received = side === 'Buy' ? base : quote;
    const commission = (received * feeBps) / 10_000n;
    if (side === 'Buy') {
      free[plan.quote] = (free[plan.quote] as bigint) - quote;
      free[plan.base] = (free[plan.base] as bigint) + base - commission;
    } else {
      free[plan.base] = (free[plan.base] as bigint) - base;
      free[plan.quote] = (free[plan.quote] as bigint) + quote - commission;
    }
    baseSum += base;
    quoteSum += quote;
    commissionSum += commission;
    fills.push({
      executionId: String(++ids.execution),
      orderId,
      userId,
      marketId: plan.market.id,
      side,
      orderType,
      baseAmount: base,
      quoteAmount: quote,
      price: formatFixed(price.units, price.scale),
      commissionAmount: commission,
      commissionAssetId: side === 'Buy' ? plan.market.base : plan.market.quote,
      orderStatus: 'Completed',
      createdAt,
      executedAt: isoFromMicros(clock.next()),
    });
  }
  if (fills.length === 0) return;
  const orderStatus: OrderStatus = !completedOnly && rng.chance(0.2) ? 'Cancelled' : 'Completed';
  for (const fill of fills) {
    fill.orderStatus = orderStatus;
    sink.trades.push(fill);
  }
  const last = fills[fills.length - 1] as BookTrade;
  const avg = divRoundHalfUp(quoteSum * pow10(bs + plan.price.scale), baseSum * pow10(qs));
  sink.orders.push({
    orderId,
    userId,
    marketId: plan.market.id,
    side,
    orderType,
    baseAmount: baseSum,
    quoteAmount: quoteSum,
    remainingAmount: orderStatus === 'Cancelled' ? rng.bigint(1n, baseSum) : 0n,
    avgExecutionPrice: formatFixed(avg, plan.price.scale),
    commissionAmount: commissionSum,
    commissionAssetId: last.commissionAssetId,
    orderStatus,
    createdAt,
    updatedAt: last.executedAt,
    executionIds: fills.map((f) => f.executionId),
  });
}

function generateOpenOrder(
  rng: Rng,
  userId: string,
  markets: readonly MarketPlan[],
  protectedAsset: number,
  free: bigint[],
  locked: bigint[],
  clock: Clock,
  ids: IdCounters,
  sink: HistorySink,
): void {
  const plan = rng.pick(markets);
  const bs = SCALE[plan.base] as number;
  const qs = SCALE[plan.quote] as number;
  const p = plan.limitDecimals;
  // remainingAmount decimals: limitPrice (p decimals) × remaining (r decimals) is exact at the quote scale
  const r = Math.min(bs, qs - p);
  const refAtP = (plan.price.units * pow10(p)) / pow10(plan.price.scale);
  let side: OrderSide = rng.chance(0.5) ? 'Buy' : 'Sell';
  const buyLimit = (refAtP * BigInt(rng.int(80, 97))) / 100n;
  if (side === 'Buy' && buyLimit < 1n) side = 'Sell';
  if ((side === 'Buy' ? plan.quote : plan.base) === protectedAsset) return;
  const limit = side === 'Buy' ? buyLimit : (refAtP * BigInt(rng.int(103, 125))) / 100n + 1n;
  const costPerStep = limit * pow10(qs - r - p); // quote units reserved per 10^-r of base
  const reservedAsset = side === 'Buy' ? plan.quote : plan.base;
  const available = (free[reservedAsset] as bigint) - (locked[reservedAsset] as bigint);
  const budget = available / 2n;
  const maxSteps = side === 'Buy' ? budget / costPerStep : budget / pow10(bs - r);
  if (maxSteps < 1n) return;
  const steps = rng.bigint(1n, maxSteps);
  const remaining = steps * pow10(bs - r);
  const notional = steps * costPerStep;
  const reserved = side === 'Buy' ? notional : remaining;
  locked[reservedAsset] = (locked[reservedAsset] as bigint) + reserved;
  const createdUs = clock.next();
  sink.openOrders.push({
    orderId: String(++ids.order),
    userId,
    marketId: plan.market.id,
    side,
    orderType: 'Limit',
    baseAmount: remaining,
    quoteAmount: notional,
    limitPrice: formatFixed(limit, p),
    filledAmount: 0n,
    remainingAmount: remaining,
    reservedAssetId: (ASSETS[reservedAsset] as { id: string }).id,
    reservedAmount: reserved,
    createdAt: isoFromMicros(createdUs),
    updatedAt: isoFromMicros(createdUs + 1000),
  });
}

/** One user's positions that new activity may move: asset → amount and locked now (units at the asset's scale). */
export type ActivityBalances = ReadonlyMap<string, { amount: bigint; locked: bigint }>;

/** Everything needed to add activity to one user after the as-of. */
export interface UserActivityInput {
  userId: string;
  feeBps: bigint;
  /** the positions open to activity; every other position of the user is left alone */
  balances: ActivityBalances;
  /** rows are dated strictly after `fromUs` and strictly before `toUs` */
  fromUs: number;
  toUs: number;
}

type ActivityEvent = 'deposit' | 'order' | 'withdrawal';
const ACTIVITY_EVENTS: readonly Weighted<ActivityEvent>[] = [
  ['deposit', 35],
  ['order', 40],
  ['withdrawal', 25],
];
/** Clock instants the largest event takes (an order of three fills) and the dust deposits `finish` may add. */
const EVENT_TICKS = 4;
const DUST_TICKS = 2;

/**
 * New history of one user, one event at a time: Completed deposits, Completed orders of 1–3 trades on markets whose
 * two assets are open to it (commission in the received asset, as generated history) and Completed withdrawals. A
 * running ledger of what is available (amount − locked) keeps every figure non-negative and the locks covered.
 */
export class UserActivity {
  private readonly clock: Clock;
  private readonly open: number[];
  private readonly markets: MarketPlan[];
  /** available per asset index: the budget of trades and withdrawals (0 where the asset is not open) */
  private readonly free: bigint[];
  private readonly startFree: bigint[];
  private readonly startAmount: bigint[];

  constructor(
    private readonly rng: Rng,
    private readonly input: UserActivityInput,
    private readonly ids: IdCounters,
    private readonly sink: HistorySink,
  ) {
    this.clock = new Clock(rng, input.fromUs, input.toUs);
    this.free = ASSETS.map(() => 0n);
    this.startAmount = ASSETS.map(() => 0n);
    this.open = [];
    for (const [assetId, { amount, locked }] of input.balances) {
      const asset = ASSET_INDEX.get(assetId);
      if (asset === undefined) throw new RangeError(`unknown asset ${assetId}`);
      if (amount - locked < 0n) throw new RangeError(`${input.userId} ${assetId}: available is negative, no activity can use it`);
      this.open.push(asset);
      this.free[asset] = amount - locked;
      this.startAmount[asset] = amount;
    }
    this.open.sort((a, b) => a - b);
    this.startFree = [...this.free];
    const openSet = new Set(this.open);
    this.markets = MARKET_PLANS.filter((p) => openSet.has(p.base) && openSet.has(p.quote));
  }

  /** Whether the user's clock can still take an event (and the dust deposits after it). */
  get canStep(): boolean {
    return this.open.length > 0 && this.clock.remaining() >= EVENT_TICKS + DUST_TICKS;
  }

  /** Adds one event; returns the rows it added (0 once the clock is spent). */
  step(): number {
    if (!this.canStep) return 0;
    const before = rowsIn(this.sink);
    const { rng, free } = this;
    const kind = rng.weighted(ACTIVITY_EVENTS);
    if (kind === 'order' && this.markets.length > 0) {
      generateOrder(rng, this.input.userId, this.input.feeBps, this.markets, -1, free, this.clock, this.ids, this.sink, true);
    } else if (kind === 'withdrawal') {
      const candidates = this.open.filter((a) => (free[a] as bigint) > 0n);
      const asset = candidates.length > 0 ? rng.pick(candidates) : undefined;
      const amount = asset === undefined ? 0n : ((free[asset] as bigint) * BigInt(rng.int(10, 50))) / 100n;
      if (asset !== undefined && amount > 0n) {
        this.transfer(asset, 'Withdrawal', amount);
        free[asset] = (free[asset] as bigint) - amount;
      }
    }
    // a deposit, or what an order or withdrawal falls back to when there is nothing to trade or withdraw
    if (rowsIn(this.sink) === before) {
      const asset = rng.pick(this.open);
      const amount = depositAmount(rng, asset);
      this.transfer(asset, 'Deposit', amount);
      free[asset] = (free[asset] as bigint) + amount;
    }
    return rowsIn(this.sink) - before;
  }

  /**
   * Ends the user's activity: a dust deposit on each 18-decimal position it moved whose amount or available would
   * otherwise end in 0 (so they keep using all 18 decimals). Returns the rows added.
   */
  finish(): number {
    let added = 0;
    for (const asset of this.open) {
      const free = this.free[asset] as bigint;
      const moved = free - (this.startFree[asset] as bigint);
      if (SCALE[asset] !== 18 || moved === 0n) continue;
      const amount = (this.startAmount[asset] as bigint) + moved;
      if (amount % 10n !== 0n && free % 10n !== 0n) continue;
      const dust = dustFor(this.rng, amount, free);
      this.transfer(asset, 'Deposit', dust);
      this.free[asset] = free + dust;
      added++;
    }
    return added;
  }

  private transfer(asset: number, type: 'Deposit' | 'Withdrawal', amount: bigint): void {
    pushTransfer(this.rng, this.clock, this.ids, this.sink, this.input.userId, asset, type, 'Completed', amount);
  }
}

const rowsIn = (sink: HistorySink): number => sink.transfers.length + sink.orders.length + sink.trades.length;
