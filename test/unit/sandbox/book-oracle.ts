/**
 * Independent re-derivations of a generated book for the sandbox tests (not a test file itself): the truth from the
 * history rows, the positions whose views differ from it, and the oracle's verdicts next to the manifest's. The asset
 * scales are written out here, and money is checked with bigint / decimal.js arithmetic.
 */
import Decimal from 'decimal.js';
import { expect } from 'vitest';
import type { Amounts, Book } from '../../../sandbox/book-types';
import { findingKey, type OracleVerdicts } from './check-oracle';

/** decimal.js with room for every amount of the book, rounding half-up. */
export const D = Decimal.clone({ precision: 200, rounding: Decimal.ROUND_HALF_UP });
/** Decimals of each asset, as the brief states them. */
const SCALES: Record<string, number> = { usd: 2, usdt: 6, btc: 8, eth: 18, ada: 6, shib: 18 };
/** Decimals of an asset (throws on an asset the brief does not list). */
export const scaleOf = (asset: string): number => {
  const scale = SCALES[asset];
  if (scale === undefined) throw new Error(`unexpected asset ${asset}`);
  return scale;
};
/** `userId|asset`. */
export const key = (userId: string, asset: string) => `${userId}|${asset}`;
/** Units at the asset's scale of a decimal string. */
export const toUnits = (text: string, asset: string): bigint => BigInt(new D(text).times(new D(10).pow(scaleOf(asset))).toFixed(0));
/** A decimal of units at the asset's scale. */
export const asDecimal = (units: bigint, asset: string) => new D(units.toString()).div(new D(10).pow(scaleOf(asset)));
/** Base and quote asset of a `{base}_{quote}` market id. */
export const marketAssets = (marketId: string): [string, string] => {
  const [base, quote] = marketId.split('_');
  if (!base || !quote) throw new Error(`bad market ${marketId}`);
  return [base, quote];
};

/** Independent recomputation of every user × asset from the book's history rows up to its asOf. */
export function recomputeTruth(book: Book): Map<string, Amounts> {
  const totals = new Map<string, { amount: bigint; locked: bigint }>();
  const at = (userId: string, asset: string) => {
    let entry = totals.get(key(userId, asset));
    if (!entry) {
      entry = { amount: 0n, locked: 0n };
      totals.set(key(userId, asset), entry);
    }
    return entry;
  };
  for (const t of book.transfers) {
    if (t.createdAt > book.asOf) continue;
    if (t.status === 'Completed') at(t.userId, t.assetId).amount += t.type === 'Deposit' ? t.amount : -t.amount;
    if (t.type === 'Withdrawal' && (t.status === 'Pending' || t.status === 'AwaitingConfirmation'))
      at(t.userId, t.assetId).locked += t.amount;
  }
  for (const t of book.trades) {
    if (t.executedAt > book.asOf) continue;
    const [base, quote] = marketAssets(t.marketId);
    const sign = t.side === 'Buy' ? 1n : -1n;
    at(t.userId, base).amount += sign * t.baseAmount;
    at(t.userId, quote).amount -= sign * t.quoteAmount;
    at(t.userId, t.commissionAssetId).amount -= t.commissionAmount;
  }
  for (const o of book.openOrders) {
    const [base, quote] = marketAssets(o.marketId);
    if (o.side === 'Sell') {
      at(o.userId, base).locked += o.remainingAmount;
    } else {
      const reserved = asDecimal(o.remainingAmount, base).times(new D(o.limitPrice));
      const units = reserved.times(new D(10).pow(scaleOf(quote)));
      expect(units.isInteger(), `reservation of ${o.orderId} is exact at the ${quote} scale`).toBe(true);
      at(o.userId, quote).locked += BigInt(units.toFixed(0));
    }
  }
  const out = new Map<string, Amounts>();
  for (const [k, { amount, locked }] of totals) out.set(k, { amount, locked, available: amount - locked });
  return out;
}

/** The user × asset pairs where a view differs from the truth. */
export function differingPositions(book: Book): Set<string> {
  const out = new Set<string>();
  for (const p of book.positions) {
    const r = p.reporting;
    const bo = p.backOffice;
    const t = p.truth;
    if (bo.amount !== t.amount || bo.locked !== t.locked || bo.available !== t.available) out.add(key(p.userId, p.asset));
    if (r.assetAmount !== t.amount || r.lockedAssetAmount !== t.locked || r.availableAssetAmount !== t.available)
      out.add(key(p.userId, p.asset));
  }
  return out;
}

/** The checks the brief asks at least two plants of in every book of 20 users or more (venue plants stay as they were). */
export const NEW_CHECKS = ['roll-forward', 'locked-orders', 'root-asset', 'asset-totals', 'presence', 'sanity'] as const;
/** Every check a plant may target. */
export const ALL_CHECKS = ['amount-split', 'cross-source', 'venue-multimarkets', 'venue-indx', ...NEW_CHECKS] as const;
/** Plants whose position's views no longer equal the truth the history implies (the others keep views = truth). */
export const TRUTH_BREAKING = new Set(['amount-split', 'cross-source', 'roll-forward', 'locked-orders']);

/** Failing keys per check (the oracle's and the manifest's) and the in-flight entries, in comparable form. */
export function comparable(book: Book, verdicts: OracleVerdicts) {
  const perCheck = (items: readonly { check: string; userId: string; asset: string }[]) =>
    Object.fromEntries(
      ALL_CHECKS.map((c) => [
        c,
        items
          .filter((d) => d.check === c)
          .map(findingKey)
          .sort(),
      ]),
    );
  const inFlight = (items: readonly { userId: string; asset: string; explainedBy: string[]; difference: string }[]) =>
    items.map((e) => `${e.userId}|${e.asset}|${[...e.explainedBy].sort().join(',')}|${e.difference}`).sort();
  const figures = (
    items: readonly { check: string; userId: string; asset: string; field: string; expected: string; actual: string; difference: string }[],
  ) => items.map((d) => `${findingKey(d)} ${d.field} ${d.expected} ${d.actual} ${d.difference}`).sort();
  return {
    found: { perCheck: perCheck(verdicts.findings), inFlight: inFlight(verdicts.inFlight), figures: figures(verdicts.findings) },
    planted: {
      perCheck: perCheck(book.manifest.planted),
      inFlight: inFlight(book.manifest.inFlight),
      figures: figures(book.manifest.planted),
    },
  };
}
