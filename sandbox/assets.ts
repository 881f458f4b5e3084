import type { Asset, Market, UserRole } from './book-types';

/** The exchange's root asset: every `*InRAT` / `fundsInRootAsset` value is expressed in it. */
export const ROOT_ASSET = 'usd';

/** The asset catalogue the sandbox exchange lists (scale = decimals of an amount; rate = fixed rate to usd). */
export const ASSETS: readonly Asset[] = [
  { id: 'usd', name: 'US Dollar', scale: 2, rateToRootAsset: '1' },
  { id: 'usdt', name: 'Usdt', scale: 6, rateToRootAsset: '1.00054946' },
  { id: 'btc', name: 'Bitcoin', scale: 8, rateToRootAsset: '34148.06931' },
  { id: 'eth', name: 'Ethereum', scale: 18, rateToRootAsset: '1873.5521' },
  { id: 'ada', name: 'Cardano', scale: 6, rateToRootAsset: '0.35316468' },
  { id: 'shib', name: 'Shiba Inu', scale: 18, rateToRootAsset: '0.00000871' },
];

/** Markets `{base}_{quote}` with a reference price (quote per base) trades are priced around. */
export const MARKETS: readonly Market[] = [
  { id: 'btc_usdt', base: 'btc', quote: 'usdt', referencePrice: '34129.31' },
  { id: 'eth_usdt', base: 'eth', quote: 'usdt', referencePrice: '1872.52' },
  { id: 'eth_btc', base: 'eth', quote: 'btc', referencePrice: '0.05486631' },
  { id: 'ada_usdt', base: 'ada', quote: 'usdt', referencePrice: '0.352971' },
  { id: 'shib_usdt', base: 'shib', quote: 'usdt', referencePrice: '0.0000087052' },
  { id: 'btc_usd', base: 'btc', quote: 'usd', referencePrice: '34148.07' },
];

/** Roles whose balances the Reporting API counts in its balance figures (others drop out silently). */
export const REPORTING_BALANCE_ROLES: readonly UserRole[] = ['Trader', 'User', 'Market Maker'];

const ASSET_BY_ID = new Map(ASSETS.map((a) => [a.id, a]));
const MARKET_BY_ID = new Map(MARKETS.map((m) => [m.id, m]));

/** The catalogue entry of an asset id, or throws (ids come from the sandbox itself). */
export function assetById(id: string): Asset {
  const asset = ASSET_BY_ID.get(id);
  if (!asset) throw new RangeError(`unknown asset ${id}`);
  return asset;
}

/** The catalogue entry of a market id, or throws. */
export function marketById(id: string): Market {
  const market = MARKET_BY_ID.get(id);
  if (!market) throw new RangeError(`unknown market ${id}`);
  return market;
}

/** Position of an asset in the catalogue (the natural order of per-user balance lists). */
export function assetOrder(id: string): number {
  return ASSETS.findIndex((a) => a.id === id);
}
