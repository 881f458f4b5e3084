import { assetById, marketById } from './assets';
import type { Book } from './book-types';
import { toRootAsset } from './decimal';
import { rateOf } from './views';

/** Per user × asset trading figures (RAT values are units at 8 decimals). */
export interface AssetFigures {
  commission: bigint;
  commissionInRAT: bigint;
  tradedVolumeInRAT: bigint;
  realizedPnlInRAT: bigint;
  netTransfersInRAT: bigint;
}

/** Per user figures the commission/PnL reports show; sandbox-defined, not something the product reconciles. */
export interface UserFigures {
  totalBalanceInRAT: bigint;
  commissionInRAT: bigint;
  tradedVolumeInRAT: bigint;
  realizedPnlInRAT: bigint;
  netTransfersInRAT: bigint;
  byAsset: Map<string, AssetFigures>;
}

const rat = (asset: string, units: bigint): bigint => toRootAsset(units, assetById(asset).scale, rateOf(asset));

function emptyAsset(): AssetFigures {
  return { commission: 0n, commissionInRAT: 0n, tradedVolumeInRAT: 0n, realizedPnlInRAT: 0n, netTransfersInRAT: 0n };
}

/**
 * Computes every user's figures in one pass over the book: balance in RAT from the reporting view (positions Reporting
 * lists; plus a planted offset); traded volume
 * = quote value in RAT; realized PnL = value received net of commission − value paid; net transfers = Completed
 * deposits − Completed withdrawals in RAT. Unrealized PnL is then balance − net transfers − realized.
 */
export function computeUserFigures(book: Book): Map<string, UserFigures> {
  const out = new Map<string, UserFigures>();
  for (const user of book.users) {
    // Σ of the positions Reporting lists, plus a planted offset where the total itself is the plant
    let totalBalanceInRAT = book.overrides.totalBalanceInRAT.get(user.userId) ?? 0n;
    for (const p of book.index.positionsByUser.get(user.userId) ?? []) if (p.inReporting) totalBalanceInRAT += p.reporting.assetAmountInRAT;
    out.set(user.userId, {
      totalBalanceInRAT,
      commissionInRAT: 0n,
      tradedVolumeInRAT: 0n,
      realizedPnlInRAT: 0n,
      netTransfersInRAT: 0n,
      byAsset: new Map(),
    });
  }
  const figures = (userId: string, asset: string): [UserFigures, AssetFigures] => {
    const u = out.get(userId) as UserFigures;
    let a = u.byAsset.get(asset);
    if (!a) {
      a = emptyAsset();
      u.byAsset.set(asset, a);
    }
    return [u, a];
  };
  for (const t of book.transfers) {
    if (t.status !== 'Completed') continue;
    const value = rat(t.assetId, t.amount) * (t.type === 'Deposit' ? 1n : -1n);
    const [u, a] = figures(t.userId, t.assetId);
    u.netTransfersInRAT += value;
    a.netTransfersInRAT += value;
  }
  for (const t of book.trades) {
    const market = marketById(t.marketId);
    const baseValue = rat(market.base, t.baseAmount);
    const quoteValue = rat(market.quote, t.quoteAmount);
    const commissionValue = rat(t.commissionAssetId, t.commissionAmount);
    const realized = t.side === 'Buy' ? baseValue - commissionValue - quoteValue : quoteValue - commissionValue - baseValue;
    const [u, base] = figures(t.userId, market.base);
    const [, quote] = figures(t.userId, market.quote);
    const [, fee] = figures(t.userId, t.commissionAssetId);
    u.commissionInRAT += commissionValue;
    u.tradedVolumeInRAT += quoteValue;
    u.realizedPnlInRAT += realized;
    base.tradedVolumeInRAT += quoteValue;
    quote.tradedVolumeInRAT += quoteValue;
    base.realizedPnlInRAT += realized;
    fee.commission += t.commissionAmount;
    fee.commissionInRAT += commissionValue;
  }
  return out;
}
