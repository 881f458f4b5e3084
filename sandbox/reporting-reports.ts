import { ASSETS, assetById, marketById, REPORTING_BALANCE_ROLES, ROOT_ASSET } from './assets';
import type { BookLogin, BookOpenOrder, BookOrder, BookTrade, BookTransfer, BookUser, Position } from './book-types';
import { divRoundHalfUp, formatFixed, formatUnits, parseDecimal, RAT_SCALE, rescaleExact, toRootAsset } from './decimal';
import { defineAggregate, defineTable, type ReportDefinition } from './reporting-definitions';
import { rateOf } from './views';

// ---- formatting -------------------------------------------------------------------------------------------

const amountText = (asset: string, units: bigint): string => formatUnits(units, assetById(asset).scale);
const ratText = (units: bigint): string => formatFixed(units, RAT_SCALE);
const rateText = (asset: string): string => formatFixed(rescaleExact(rateOf(asset), RAT_SCALE), RAT_SCALE);
const ratOf = (asset: string, units: bigint): bigint => toRootAsset(units, assetById(asset).scale, rateOf(asset));
const nameOf = (asset: string): string => assetById(asset).name;
const baseOf = (marketId: string): string => marketById(marketId).base;
const quoteOf = (marketId: string): string => marketById(marketId).quote;

function fillFactor(order: BookOrder): string {
  if (order.remainingAmount === 0n) return '1';
  const total = order.baseAmount + order.remainingAmount;
  return formatUnits(divRoundHalfUp(order.baseAmount * 10_000n, total), 4);
}

const COUNTED = new Set<string>(REPORTING_BALANCE_ROLES);

// ---- the eleven reports ---------------------------------------------------------------------------------------

const assetsAndBalances = defineAggregate({
  name: 'assets-and-balances',
  pagingKey: 'per_page',
  columns: ['assetId', 'assetName', 'assetAmount', 'assetAmountInRAT', 'assetAmountScale', 'rootAsset'],
  scope: {},
  rows(ctx) {
    const sums = new Map<string, bigint>(ASSETS.map((a) => [a.id, 0n]));
    for (const p of ctx.book.reportingPositions) {
      if (!ctx.user(p.userId).roles.some((r) => COUNTED.has(r))) continue;
      sums.set(p.asset, (sums.get(p.asset) ?? 0n) + p.reporting.assetAmount);
    }
    return ASSETS.map((a) => {
      // a planted asset total is off by its override; assetAmountInRAT follows the figure served
      const sum = (sums.get(a.id) ?? 0n) + (ctx.book.overrides.assetTotals.get(a.id) ?? 0n);
      return {
        assetId: a.id,
        assetName: a.name,
        assetAmount: formatUnits(sum, a.scale),
        assetAmountInRAT: ratText(ratOf(a.id, sum)),
        assetAmountScale: String(a.scale),
        rootAsset: ROOT_ASSET,
      };
    });
  },
});

const users = defineTable<BookUser>({
  name: 'users',
  pagingKey: 'per_page',
  columns: {
    status: (u) => u.status,
    hasTradingApiKey: (u) => u.hasTradingApiKey,
    userId: (u) => u.userId,
    email: (u) => u.email,
    roles: (u) => u.roles,
    username: (u) => u.username,
    createdAt: (u) => u.createdAt,
    totalBalanceInRAT: (u, ctx) => ratText(ctx.figures(u.userId).totalBalanceInRAT),
    totalCommissionInRAT: (u, ctx) => ratText(ctx.figures(u.userId).commissionInRAT),
    lastSignInDate: (u) => u.lastSignInDate,
  },
  stableColumns: ['userId', 'email', 'username'],
  records: (book) => book.users,
});

const usersBalances = defineTable<Position>({
  name: 'users/balances',
  pagingKey: 'per_page',
  columns: {
    assetId: (p) => p.asset,
    assetName: (p) => nameOf(p.asset),
    assetAmount: (p) => amountText(p.asset, p.reporting.assetAmount),
    lockedAssetAmount: (p) => amountText(p.asset, p.reporting.lockedAssetAmount),
    availableAssetAmount: (p) => amountText(p.asset, p.reporting.availableAssetAmount),
    assetAmountInRAT: (p) => ratText(p.reporting.assetAmountInRAT),
    lockedAssetAmountInRAT: (p) => ratText(p.reporting.lockedAssetAmountInRAT),
    availableAssetAmountInRAT: (p) => ratText(p.reporting.availableAssetAmountInRAT),
    rateToRootAsset: (p) => formatFixed(rescaleExact(parseDecimal(p.reporting.rateToRootAsset), RAT_SCALE), RAT_SCALE),
  },
  hidden: { userId: (p) => p.userId },
  stableColumns: ['userId', 'assetId'],
  records: (book) => book.reportingPositions,
});

const usersLogins = defineTable<BookLogin>({
  name: 'users/logins',
  pagingKey: 'per_page',
  columns: { userId: (l) => l.userId, ip: (l) => l.ip, loginAt: (l) => l.loginAt },
  stableColumns: ['userId'],
  records: (book) => book.logins,
});

const commissions = defineAggregate({
  name: 'commissions',
  pagingKey: 'perPage',
  columns: ['totalAmountInRAT', 'totalCommissionInRAT', 'totalTradedVolumeInRAT', 'realizedPnlInRAT'],
  scope: { userId: (u) => u.userId, email: (u) => u.email },
  rows(ctx, selected) {
    let amount = 0n;
    let commission = 0n;
    let volume = 0n;
    let realized = 0n;
    for (const u of selected) {
      const f = ctx.figures(u.userId);
      amount += f.totalBalanceInRAT;
      commission += f.commissionInRAT;
      volume += f.tradedVolumeInRAT;
      realized += f.realizedPnlInRAT;
    }
    return [
      {
        totalAmountInRAT: ratText(amount),
        totalCommissionInRAT: ratText(commission),
        totalTradedVolumeInRAT: ratText(volume),
        realizedPnlInRAT: ratText(realized),
      },
    ];
  },
});

const commissionsAssets = defineAggregate({
  name: 'commissions/assets',
  pagingKey: 'per_page',
  columns: [
    'assetId',
    'assetName',
    'assetAmount',
    'totalAssetCommission',
    'assetAmountInRAT',
    'totalCommissionInRAT',
    'totalTradedVolumeInRAT',
    'realizedPnlInRAT',
    'unrealizedPnlInRAT',
  ],
  scope: { userId: (u) => u.userId },
  rows(ctx, selected) {
    const acc = new Map(
      ASSETS.map((a) => [a.id, { amount: 0n, amountInRAT: 0n, commission: 0n, commissionInRAT: 0n, volume: 0n, realized: 0n, net: 0n }]),
    );
    for (const u of selected) {
      for (const p of ctx.book.index.positionsByUser.get(u.userId) ?? []) {
        const a = acc.get(p.asset);
        if (!a || !p.inReporting) continue;
        a.amount += p.reporting.assetAmount;
        a.amountInRAT += p.reporting.assetAmountInRAT;
      }
      for (const [asset, f] of ctx.figures(u.userId).byAsset) {
        const a = acc.get(asset);
        if (!a) continue;
        a.commission += f.commission;
        a.commissionInRAT += f.commissionInRAT;
        a.volume += f.tradedVolumeInRAT;
        a.realized += f.realizedPnlInRAT;
        a.net += f.netTransfersInRAT;
      }
    }
    return ASSETS.map((asset) => {
      const a = acc.get(asset.id) as NonNullable<ReturnType<typeof acc.get>>;
      return {
        assetId: asset.id,
        assetName: asset.name,
        assetAmount: formatUnits(a.amount, asset.scale),
        totalAssetCommission: formatUnits(a.commission, asset.scale),
        assetAmountInRAT: ratText(a.amountInRAT),
        totalCommissionInRAT: ratText(a.commissionInRAT),
        totalTradedVolumeInRAT: ratText(a.volume),
        realizedPnlInRAT: ratText(a.realized),
        unrealizedPnlInRAT: ratText(a.amountInRAT - a.net - a.realized),
      };
    });
  },
});

const commissionsUsers = defineTable<BookUser>({
  name: 'commissions/users',
  pagingKey: 'per_page',
  columns: {
    userId: (u) => u.userId,
    email: (u) => u.email,
    status: (u) => u.status,
    totalAmountInRAT: (u, ctx) => ratText(ctx.figures(u.userId).totalBalanceInRAT),
    totalCommissionInRAT: (u, ctx) => ratText(ctx.figures(u.userId).commissionInRAT),
    totalTradedVolumeInRAT: (u, ctx) => ratText(ctx.figures(u.userId).tradedVolumeInRAT),
    realizedPnlInRAT: (u, ctx) => ratText(ctx.figures(u.userId).realizedPnlInRAT),
    unrealizedPnlInRAT: (u, ctx) => {
      const f = ctx.figures(u.userId);
      return ratText(f.totalBalanceInRAT - f.netTransfersInRAT - f.realizedPnlInRAT);
    },
  },
  hidden: { feeGroupId: (u) => u.feeGroupId },
  stableColumns: ['userId', 'email', 'feeGroupId'],
  records: (book) => book.users,
});

const orders = defineTable<BookOrder>({
  name: 'orders',
  pagingKey: 'per_page',
  columns: {
    orderId: (o) => o.orderId,
    userId: (o) => o.userId,
    userEmail: (o, ctx) => ctx.user(o.userId).email,
    marketId: (o) => o.marketId,
    side: (o) => o.side,
    orderType: (o) => o.orderType,
    baseAmount: (o) => amountText(baseOf(o.marketId), o.baseAmount),
    quoteAmount: (o) => amountText(quoteOf(o.marketId), o.quoteAmount),
    remainingAmount: (o) => amountText(baseOf(o.marketId), o.remainingAmount),
    fillFactor: (o) => fillFactor(o),
    avgExecutionPrice: (o) => formatUnits(parseDecimal(o.avgExecutionPrice).units, parseDecimal(o.avgExecutionPrice).scale),
    commissionAmount: (o) => amountText(o.commissionAssetId, o.commissionAmount),
    commissionAssetId: (o) => o.commissionAssetId,
    commissionAssetName: (o) => nameOf(o.commissionAssetId),
    commissionInRAT: (o) => ratText(ratOf(o.commissionAssetId, o.commissionAmount)),
    orderStatus: (o) => o.orderStatus,
    createdAt: (o) => o.createdAt,
    updatedAt: (o) => o.updatedAt,
  },
  appendOnly: true,
  records: (book) => book.orders,
});

const ordersOpened = defineTable<BookOpenOrder>({
  name: 'orders/opened',
  pagingKey: 'per_page',
  columns: {
    orderId: (o) => o.orderId,
    marketId: (o) => o.marketId,
    side: (o) => o.side,
    orderType: (o) => o.orderType,
    baseAmount: (o) => amountText(baseOf(o.marketId), o.baseAmount),
    quoteAmount: (o) => amountText(quoteOf(o.marketId), o.quoteAmount),
    limitPrice: (o) => formatUnits(parseDecimal(o.limitPrice).units, parseDecimal(o.limitPrice).scale),
    filledAmount: (o) => amountText(baseOf(o.marketId), o.filledAmount),
    remainingAmount: (o) => amountText(baseOf(o.marketId), o.remainingAmount),
    createdAt: (o) => o.createdAt,
    updatedAt: (o) => o.updatedAt,
  },
  hidden: { userId: (o) => o.userId },
  stableColumns: ['userId', 'orderId', 'marketId'],
  records: (book) => book.openOrders,
});

const ordersTransactions = defineTable<BookTrade>({
  name: 'orders/transactions',
  pagingKey: 'perPage',
  columns: {
    orderId: (t) => t.orderId,
    executionId: (t) => t.executionId,
    userId: (t) => t.userId,
    userEmail: (t, ctx) => ctx.user(t.userId).email,
    userRoles: (t, ctx) => ctx.user(t.userId).roles,
    marketId: (t) => t.marketId,
    side: (t) => t.side,
    orderType: (t) => t.orderType,
    baseAmount: (t) => amountText(baseOf(t.marketId), t.baseAmount),
    quoteAmount: (t) => amountText(quoteOf(t.marketId), t.quoteAmount),
    orderStatus: (t) => t.orderStatus,
    executedAt: (t) => t.executedAt,
    createdAt: (t) => t.createdAt,
    commissionAmount: (t) => amountText(t.commissionAssetId, t.commissionAmount),
    commissionAssetId: (t) => t.commissionAssetId,
    commissionAssetName: (t) => nameOf(t.commissionAssetId),
    commissionInRAT: (t) => ratText(ratOf(t.commissionAssetId, t.commissionAmount)),
  },
  hidden: { avgExecutionPrice: (t) => formatUnits(parseDecimal(t.price).units, parseDecimal(t.price).scale) },
  requiredOneOf: ['orderId', 'commissionAssetId'],
  appendOnly: true,
  records: (book) => book.trades,
});

const transfers = defineTable<BookTransfer>({
  name: 'transfers',
  pagingKey: 'per_page',
  columns: {
    userId: (t) => t.userId,
    userEmail: (t, ctx) => ctx.user(t.userId).email,
    userRoles: (t, ctx) => ctx.user(t.userId).roles,
    id: (t) => t.id,
    assetId: (t) => t.assetId,
    assetName: (t) => nameOf(t.assetId),
    type: (t) => t.type,
    status: (t) => t.status,
    assetAmount: (t) => amountText(t.assetId, t.amount),
    createdAt: (t) => t.createdAt,
    rateToRootAsset: (t) => rateText(t.assetId),
    assetAmountInRAT: (t) => ratText(ratOf(t.assetId, t.amount)),
    externalId: (t) => t.externalId,
  },
  hidden: {
    email: (t, ctx) => ctx.user(t.userId).email,
    username: (t, ctx) => ctx.user(t.userId).username,
    roles: (t, ctx) => ctx.user(t.userId).roles,
  },
  appendOnly: true,
  records: (book) => book.transfers,
});

/** The eleven Reporting API reports, by their path under `/back-api/reporting/reports/data/`. */
export const REPORTS: ReadonlyMap<string, ReportDefinition> = new Map(
  [
    assetsAndBalances,
    users,
    usersBalances,
    usersLogins,
    commissions,
    commissionsAssets,
    commissionsUsers,
    orders,
    ordersOpened,
    ordersTransactions,
    transfers,
  ].map((r) => [r.name, r]),
);
