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

/** A book's figures and how far into its (append-only) history rows and which revision they reach. */
interface FiguresCache {
  revision: number;
  transfers: number;
  trades: number;
  figures: Map<string, UserFigures>;
}
const FIGURES = new WeakMap<Book, FiguresCache>();

/**
 * Every user's figures: balance in RAT from the reporting view (positions Reporting lists; plus a planted offset);
 * traded volume = quote value in RAT; realized PnL = value received net of commission − value paid; net transfers =
 * Completed deposits − Completed withdrawals in RAT. Unrealized PnL is then balance − net transfers − realized.
 * Computed in one pass on first use and cached per book; once the book's `revision` moves, only the history rows
 * appended since are added and the balance totals are summed again.
 */
export function userFigures(book: Book): Map<string, UserFigures> {
  let cached = FIGURES.get(book);
  if (!cached) {
    const figures = new Map<string, UserFigures>();
    for (const user of book.users) figuresOf(figures, user.userId);
    cached = { revision: book.revision, transfers: 0, trades: 0, figures };
    addHistory(book, cached);
    sumBalances(book, figures);
    FIGURES.set(book, cached);
  } else if (cached.revision !== book.revision) {
    addHistory(book, cached);
    sumBalances(book, cached.figures);
    cached.revision = book.revision;
  }
  return cached.figures;
}

/** A user's figures, empty for a user who signed up since they were first computed. */
function figuresOf(out: Map<string, UserFigures>, userId: string): UserFigures {
  let figures = out.get(userId);
  if (!figures) {
    figures = {
      totalBalanceInRAT: 0n,
      commissionInRAT: 0n,
      tradedVolumeInRAT: 0n,
      realizedPnlInRAT: 0n,
      netTransfersInRAT: 0n,
      byAsset: new Map(),
    };
    out.set(userId, figures);
  }
  return figures;
}

/** Σ of the positions Reporting lists, plus a planted offset where the total itself is the plant. */
function sumBalances(book: Book, out: Map<string, UserFigures>): void {
  for (const user of book.users) {
    let total = book.overrides.totalBalanceInRAT.get(user.userId) ?? 0n;
    for (const p of book.index.positionsByUser.get(user.userId) ?? []) if (p.inReporting) total += p.reporting.assetAmountInRAT;
    figuresOf(out, user.userId).totalBalanceInRAT = total;
  }
}

/** Adds the transfers and trades the cache has not seen yet. */
function addHistory(book: Book, cache: FiguresCache): void {
  const out = cache.figures;
  const figures = (userId: string, asset: string): [UserFigures, AssetFigures] => {
    const u = figuresOf(out, userId);
    let a = u.byAsset.get(asset);
    if (!a) {
      a = emptyAsset();
      u.byAsset.set(asset, a);
    }
    return [u, a];
  };
  for (let i = cache.transfers; i < book.transfers.length; i++) {
    const t = book.transfers[i] as Book['transfers'][number];
    if (t.status !== 'Completed') continue;
    const value = rat(t.assetId, t.amount) * (t.type === 'Deposit' ? 1n : -1n);
    const [u, a] = figures(t.userId, t.assetId);
    u.netTransfersInRAT += value;
    a.netTransfersInRAT += value;
  }
  for (let i = cache.trades; i < book.trades.length; i++) {
    const t = book.trades[i] as Book['trades'][number];
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
  cache.transfers = book.transfers.length;
  cache.trades = book.trades.length;
}
