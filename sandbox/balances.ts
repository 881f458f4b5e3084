import { assetById, marketById } from './assets';
import type { Amounts, BookOpenOrder } from './book-types';
import { parseDecimal, pow10 } from './decimal';
import type { HistorySink } from './history';

/** A user and the assets it holds (one position each). */
export interface Holding {
  userId: string;
  assets: readonly string[];
}

/** The asset and exact amount (units at that asset's scale) an open order reserves. */
export function reservationOf(order: BookOpenOrder): { asset: string; amount: bigint } {
  const market = marketById(order.marketId);
  if (order.side === 'Sell') return { asset: market.base, amount: order.remainingAmount };
  const baseScale = assetById(market.base).scale;
  const quoteScale = assetById(market.quote).scale;
  const price = parseDecimal(order.limitPrice);
  const numerator = order.remainingAmount * price.units * pow10(quoteScale);
  const denominator = pow10(baseScale + price.scale);
  if (numerator % denominator !== 0n) throw new Error(`open order ${order.orderId} reservation is not exact at the quote scale`);
  return { asset: market.quote, amount: numerator / denominator };
}

/**
 * The true balance of one user in each asset it holds, recomputed from that user's history alone:
 * amount = Σ Completed deposits − Σ Completed withdrawals + trade flows − commissions;
 * locked = Σ open-order reservations + Σ Pending/AwaitingConfirmation withdrawals; available = amount − locked.
 * Throws on a negative figure unless `allowNegative` (a sanity plant drives one negative on purpose).
 */
export function computeTrueBalances(
  holding: Holding,
  history: HistorySink,
  options: { allowNegative?: boolean } = {},
): Map<string, Amounts> {
  const totals = new Map<string, { amount: bigint; locked: bigint }>();
  for (const a of holding.assets) totals.set(a, { amount: 0n, locked: 0n });
  const at = (userId: string, asset: string) => {
    const entry = userId === holding.userId ? totals.get(asset) : undefined;
    if (!entry) throw new Error(`history touches ${asset} of ${userId}, which is not a position of ${holding.userId}`);
    return entry;
  };

  for (const t of history.transfers) {
    if (t.status === 'Completed') at(t.userId, t.assetId).amount += t.type === 'Deposit' ? t.amount : -t.amount;
    else if (t.type === 'Withdrawal' && (t.status === 'Pending' || t.status === 'AwaitingConfirmation'))
      at(t.userId, t.assetId).locked += t.amount;
  }
  for (const trade of history.trades) {
    const market = marketById(trade.marketId);
    const base = at(trade.userId, market.base);
    const quote = at(trade.userId, market.quote);
    if (trade.side === 'Buy') {
      base.amount += trade.baseAmount;
      quote.amount -= trade.quoteAmount;
    } else {
      base.amount -= trade.baseAmount;
      quote.amount += trade.quoteAmount;
    }
    at(trade.userId, trade.commissionAssetId).amount -= trade.commissionAmount;
  }
  for (const order of history.openOrders) {
    const { asset, amount } = reservationOf(order);
    at(order.userId, asset).locked += amount;
  }

  const out = new Map<string, Amounts>();
  for (const [asset, { amount, locked }] of totals) {
    const available = amount - locked;
    if (!options.allowNegative && (amount < 0n || locked < 0n || available < 0n))
      throw new Error(`negative balance generated for ${holding.userId} in ${asset}`);
    out.set(asset, { amount, locked, available });
  }
  return out;
}
