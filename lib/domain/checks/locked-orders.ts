import { Amount } from '../money';
import type { Precision } from '../precision';
import type { Verdict } from '../verdict';

/** A resting limit order from Reporting `orders/opened`. */
export interface OpenOrderRecord {
  orderId: string;
  marketId: string;
  side: 'Buy' | 'Sell';
  remainingAmount: Amount;
  limitPrice: Amount;
}

/** A withdrawal not yet final (`Pending`, `AwaitingConfirmation`): its funds are locked. */
export interface PendingWithdrawal {
  id: string;
  assetId: string;
  assetAmount: Amount;
}

/** What one user has reserved in one asset, and by what. */
export interface Reservation {
  sum: Amount;
  orders: string[];
  withdrawals: string[];
}

/**
 * What a user's open orders and pending withdrawals reserve, per asset: a Buy reserves
 * `remainingAmount × limitPrice` of the quote asset, a Sell `remainingAmount` of the base asset, a
 * pending withdrawal its amount.
 */
export function reservationsOf(orders: readonly OpenOrderRecord[], withdrawals: readonly PendingWithdrawal[]): Map<string, Reservation> {
  const byAsset = new Map<string, Reservation>();
  const reserve = (asset: string, amount: Amount, id: string, kind: 'orders' | 'withdrawals') => {
    const entry = byAsset.get(asset) ?? { sum: Amount.ZERO, orders: [], withdrawals: [] };
    entry.sum = entry.sum.plus(amount);
    entry[kind].push(id);
    byAsset.set(asset, entry);
  };
  for (const order of orders) {
    const [base, quote] = order.marketId.split('_') as [string, string];
    if (order.side === 'Buy') reserve(quote, order.remainingAmount.times(order.limitPrice), order.orderId, 'orders');
    else reserve(base, order.remainingAmount, order.orderId, 'orders');
  }
  for (const withdrawal of withdrawals) reserve(withdrawal.assetId, withdrawal.assetAmount, withdrawal.id, 'withdrawals');
  return byAsset;
}

/**
 * `locked-orders`: the locked part of a balance equals what the user's open orders and pending
 * withdrawals reserve. Expected is the reservations' sum, actual the Reporting `lockedAssetAmount`.
 *
 * @example
 * // a Buy of 2 btc at 30000 on btc_usdt and a pending withdrawal of 100 usdt → usdt locked must be 60100
 */
export function lockedOrdersCheck(
  position: { userId: string; asset: string; locked: Amount },
  reserved: Reservation | undefined,
  precision: Precision,
): Verdict {
  const { userId, asset, locked } = position;
  const expected = reserved?.sum ?? Amount.ZERO;
  const difference = locked.minus(expected);
  if (!precision.differs('locked-orders', asset, difference, expected)) return { check: 'locked-orders', outcome: 'match', userId, asset };
  return {
    check: 'locked-orders',
    outcome: 'mismatch',
    userId,
    asset,
    field: 'lockedAssetAmount',
    expected,
    actual: locked,
    difference,
    evidence: {
      'reporting.lockedAssetAmount': locked.toString(),
      'reserved.orders': String(reserved?.orders.length ?? 0),
      'reserved.withdrawals': String(reserved?.withdrawals.length ?? 0),
      ...(reserved && reserved.orders.length > 0 ? { 'reserved.orderIds': reserved.orders.slice(0, 5).join(', ') } : {}),
      ...(reserved && reserved.withdrawals.length > 0 ? { 'reserved.withdrawalIds': reserved.withdrawals.slice(0, 5).join(', ') } : {}),
    },
  };
}
