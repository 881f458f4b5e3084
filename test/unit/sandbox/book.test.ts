import Decimal from 'decimal.js';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { generateBook } from '../../../sandbox/book';
import type { Amounts, Book, Position } from '../../../sandbox/book-types';

/**
 * These tests re-derive everything from the brief, not from sandbox helpers: the asset scales and
 * rates are written out here, and money is checked with bigint / decimal.js arithmetic.
 */
const D = Decimal.clone({ precision: 200, rounding: Decimal.ROUND_HALF_UP });
const SCALES: Record<string, number> = { usd: 2, usdt: 6, btc: 8, eth: 18, ada: 6, shib: 18 };
const RATES: Record<string, string> = {
  usd: '1',
  usdt: '1.00054946',
  btc: '34148.06931',
  eth: '1873.5521',
  ada: '0.35316468',
  shib: '0.00000871',
};
const TWO_POW_53 = 2n ** 53n;
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

const scaleOf = (asset: string): number => {
  const scale = SCALES[asset];
  if (scale === undefined) throw new Error(`unexpected asset ${asset}`);
  return scale;
};
const key = (userId: string, asset: string) => `${userId}|${asset}`;
const toUnits = (text: string, asset: string): bigint => BigInt(new D(text).times(new D(10).pow(scaleOf(asset))).toFixed(0));
const asDecimal = (units: bigint, asset: string) => new D(units.toString()).div(new D(10).pow(scaleOf(asset)));
const marketAssets = (marketId: string): [string, string] => {
  const [base, quote] = marketId.split('_');
  if (!base || !quote) throw new Error(`bad market ${marketId}`);
  return [base, quote];
};

/** Independent recomputation of every user × asset from the book's history rows. */
function recomputeTruth(book: Book): Map<string, Amounts> {
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
    if (t.status === 'Completed') at(t.userId, t.assetId).amount += t.type === 'Deposit' ? t.amount : -t.amount;
    if (t.type === 'Withdrawal' && (t.status === 'Pending' || t.status === 'AwaitingConfirmation'))
      at(t.userId, t.assetId).locked += t.amount;
  }
  for (const t of book.trades) {
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
function differingPositions(book: Book): Set<string> {
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

const fingerprint = (book: Book): string =>
  JSON.stringify(
    {
      users: book.users,
      transfers: book.transfers,
      trades: book.trades,
      orders: book.orders,
      open: book.openOrders,
      positions: book.positions,
      manifest: book.manifest,
      venues: book.venueMappings,
    },
    (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v),
  );

/** The plants that alter a view of the book (amount-split, cross-source); venue plants alter venue accounts instead. */
const viewPlants = (b: ReturnType<typeof generateBook>) =>
  b.manifest.planted.filter((d) => d.check === 'amount-split' || d.check === 'cross-source');

describe('generateBook', () => {
  let book: Book;
  beforeAll(() => {
    book = generateBook({ users: 60, seed: 42 });
  });

  it('produces an identical book for the same seed and a different book for another seed', () => {
    expect(fingerprint(generateBook({ users: 60, seed: 42 }))).toBe(fingerprint(book));
    expect(fingerprint(generateBook({ users: 60, seed: 43 }))).not.toBe(fingerprint(book));
  });

  it('gives every user a GUID id, 2–4 positions and ids that are unique strings across the book', () => {
    expect(book.users).toHaveLength(60);
    for (const u of book.users) {
      expect(u.userId).toMatch(GUID);
      const positions = book.index.positionsByUser.get(u.userId) ?? [];
      expect(positions.length).toBeGreaterThanOrEqual(2);
      expect(positions.length).toBeLessThanOrEqual(4);
    }
    const ids = [
      ...book.users.map((u) => u.userId),
      ...book.transfers.map((t) => `transfer:${t.id}`),
      ...book.trades.map((t) => `execution:${t.executionId}`),
      ...book.orders.map((o) => `order:${o.orderId}`),
      ...book.openOrders.map((o) => `order:${o.orderId}`),
    ];
    expect(new Set(ids).size).toBe(ids.length);
    expect(new Set(book.users.map((u) => u.email)).size).toBe(60);
  });

  it("keeps each user's history in strictly increasing time, after the user's creation and before asOf", () => {
    const events = new Map<string, string[]>();
    const push = (userId: string, at: string) => {
      const list = events.get(userId) ?? [];
      list.push(at);
      events.set(userId, list);
    };
    for (const t of book.transfers) push(t.userId, t.createdAt);
    for (const o of book.openOrders) push(o.userId, o.createdAt);
    for (const o of book.orders) {
      const trades = book.trades.filter((t) => t.orderId === o.orderId);
      expect(trades.map((t) => t.executionId)).toEqual(o.executionIds);
      for (const t of trades) expect(t.executedAt > o.createdAt).toBe(true);
    }
    for (const u of book.users) {
      for (const at of events.get(u.userId) ?? []) {
        expect(at > u.createdAt).toBe(true);
        expect(at < book.asOf).toBe(true);
      }
    }
    // transfers are generated in time order per user
    const byUser = new Map<string, string[]>();
    for (const t of book.transfers) byUser.set(t.userId, [...(byUser.get(t.userId) ?? []), t.createdAt]);
    for (const list of byUser.values()) expect([...list].sort()).toEqual(list);
  });

  it('has true balances equal to what the history implies (transfers + trades − commissions; locked from open orders and pending withdrawals)', () => {
    const recomputed = recomputeTruth(book);
    expect(recomputed.size).toBe(book.positions.length);
    for (const p of book.positions) {
      expect(recomputed.get(key(p.userId, p.asset)), `${p.userId} ${p.asset}`).toEqual(p.truth);
    }
  });

  it('records each order as the sum of its trades, quoteAmount as baseAmount × price rounded to the quote scale, and commission in the received asset', () => {
    for (const t of book.trades) {
      const [base, quote] = marketAssets(t.marketId);
      const exact = asDecimal(t.baseAmount, base).times(new D(t.price));
      expect(t.quoteAmount).toBe(toUnits(exact.toDecimalPlaces(scaleOf(quote), Decimal.ROUND_HALF_UP).toFixed(), quote));
      expect(t.commissionAssetId).toBe(t.side === 'Buy' ? base : quote);
      expect(t.commissionAmount >= 0n).toBe(true);
    }
    for (const o of book.orders) {
      const trades = book.trades.filter((t) => t.orderId === o.orderId);
      expect(trades.length).toBeGreaterThanOrEqual(1);
      expect(trades.length).toBeLessThanOrEqual(3);
      expect(o.baseAmount).toBe(trades.reduce((s, t) => s + t.baseAmount, 0n));
      expect(o.quoteAmount).toBe(trades.reduce((s, t) => s + t.quoteAmount, 0n));
      expect(o.commissionAmount).toBe(trades.reduce((s, t) => s + t.commissionAmount, 0n));
      for (const t of trades) expect(t.orderStatus).toBe(o.orderStatus);
    }
    expect(book.orders.some((o) => o.orderStatus === 'Cancelled')).toBe(true);
    expect(book.transfers.some((t) => t.type === 'Deposit' && t.status !== 'Completed')).toBe(true);
    expect(book.transfers.some((t) => t.status === 'Pending' || t.status === 'AwaitingConfirmation')).toBe(true);
  });

  it('never has a negative amount, locked or available in the truth or in either view', () => {
    for (const p of book.positions) {
      for (const v of [
        p.truth.amount,
        p.truth.locked,
        p.truth.available,
        p.backOffice.amount,
        p.backOffice.locked,
        p.backOffice.available,
      ]) {
        expect(v >= 0n).toBe(true);
      }
      for (const v of [p.reporting.assetAmount, p.reporting.lockedAssetAmount, p.reporting.availableAssetAmount])
        expect(v >= 0n).toBe(true);
      expect(p.truth.amount).toBe(p.truth.locked + p.truth.available);
    }
  });

  it('derives both views equal to the truth except exactly at the planted positions', () => {
    const planted = new Set(viewPlants(book).map((d) => key(d.userId, d.asset)));
    expect(planted.size).toBe(viewPlants(book).length);
    expect(differingPositions(book)).toEqual(planted);
  });

  it('plants venue-multimarkets ×2 and venue-indx ×2 as venue figures off the reporting balance by the stated difference', () => {
    const venuePlants = book.manifest.planted.filter((d) => d.check.startsWith('venue-'));
    expect(venuePlants.filter((d) => d.check === 'venue-multimarkets')).toHaveLength(2);
    expect(venuePlants.filter((d) => d.check === 'venue-indx')).toHaveLength(2);
    for (const d of venuePlants) {
      const p = book.index.positionByKey.get(key(d.userId, d.asset)) as Position;
      expect(new D(d.expected).eq(asDecimal(p.reporting.assetAmount, d.asset))).toBe(true);
      expect(new D(d.difference).eq(new D(d.actual).minus(new D(d.expected)))).toBe(true);
      const unit = new D(1).dividedBy(new D(10).pow(p.scale));
      expect(new D(d.difference).abs().gte(d.check === 'venue-indx' && d.field === 'wmz' ? new D('0.01') : unit)).toBe(true);
    }
  });

  it('plants amount-split ×3 and cross-source ×2 whose expected, actual and difference are the exact view values', () => {
    const planted = viewPlants(book);
    expect(planted.filter((d) => d.check === 'amount-split')).toHaveLength(3);
    expect(planted.filter((d) => d.check === 'cross-source')).toHaveLength(2);
    for (const d of planted) {
      const p = book.index.positionByKey.get(key(d.userId, d.asset)) as Position;
      const dec = (units: bigint) => asDecimal(units, d.asset);
      expect(new D(d.difference).eq(new D(d.actual).minus(new D(d.expected)))).toBe(true);
      expect(new D(d.difference).isZero()).toBe(false);
      if (d.check === 'amount-split') {
        expect(d.field).toBe('assetAmount');
        expect(new D(d.actual).eq(dec(p.reporting.assetAmount))).toBe(true);
        expect(new D(d.expected).eq(dec(p.reporting.lockedAssetAmount + p.reporting.availableAssetAmount))).toBe(true);
        expect(p.backOffice).toEqual(p.truth);
      } else {
        expect(p.reporting.assetAmount).toBe(p.truth.amount);
        expect(p.reporting.lockedAssetAmount).toBe(p.truth.locked);
        expect(p.backOffice.amount).toBe(p.backOffice.locked + p.backOffice.available);
        const [bo, rep] =
          d.field === 'amount' ? [p.backOffice.amount, p.reporting.assetAmount] : [p.backOffice.locked, p.reporting.lockedAssetAmount];
        expect(['amount', 'locked']).toContain(d.field);
        expect(new D(d.actual).eq(dec(bo))).toBe(true);
        expect(new D(d.expected).eq(dec(rep))).toBe(true);
      }
    }
    expect(new Set(planted.filter((d) => d.check === 'cross-source').map((d) => d.field))).toEqual(new Set(['amount', 'locked']));
    const differences = planted.filter((d) => d.check === 'amount-split').map((d) => `${d.asset}:${d.difference}`);
    expect(differences).toContain('usdt:0.01');
    expect(differences.some((x) => /^(eth|shib):0\.000000000000000001$/.test(x))).toBe(true);
    expect(book.manifest).toMatchObject({ seed: 42, users: 60, asOf: book.asOf });
  });

  it('plants one amount-split on a position above 2^53 whole units, and uses all 18 decimals in every 18-decimal amount', () => {
    const whale = book.positions.find((p) => p.truth.amount / 10n ** BigInt(p.scale) > TWO_POW_53);
    expect(whale).toBeDefined();
    const w = whale as Position;
    expect(book.manifest.planted.some((d) => d.check === 'amount-split' && d.userId === w.userId && d.asset === w.asset)).toBe(true);
    for (const p of book.positions.filter((x) => x.scale === 18)) {
      expect(p.truth.amount % 10n, `${p.userId} ${p.asset} amount`).not.toBe(0n);
      expect(p.truth.available % 10n, `${p.userId} ${p.asset} available`).not.toBe(0n);
    }
    for (const t of book.transfers.filter((x) => scaleOf(x.assetId) === 18 && x.type === 'Deposit')) expect(t.amount % 10n).not.toBe(0n);
  });

  it('computes reporting *InRAT fields as value × rateToRootAsset rounded half-up to 8 decimals', () => {
    for (const p of book.positions) {
      const rate = new D(RATES[p.asset] as string);
      const rat = (units: bigint) =>
        BigInt(asDecimal(units, p.asset).times(rate).toDecimalPlaces(8, Decimal.ROUND_HALF_UP).times(1e8).toFixed(0));
      expect(p.reporting.assetAmountInRAT).toBe(rat(p.reporting.assetAmount));
      expect(p.reporting.lockedAssetAmountInRAT).toBe(rat(p.reporting.lockedAssetAmount));
      expect(p.reporting.availableAssetAmountInRAT).toBe(rat(p.reporting.availableAssetAmount));
      expect(new D(p.reporting.rateToRootAsset).eq(rate)).toBe(true);
    }
  });

  it('mirrors venue accounts from the truth as the mapping list says, except where a venue difference is planted', () => {
    const plantedVenue = new Set(
      book.manifest.planted.filter((d) => d.check.startsWith('venue-')).map((d) => `${d.field}|${key(d.userId, d.asset)}`),
    );
    expect(book.multiMarketsAccounts.length).toBeGreaterThan(0);
    expect(book.indxAccounts.length).toBeGreaterThan(0);
    for (const a of book.multiMarketsAccounts) {
      const p = book.index.positionByKey.get(key(a.userId, a.asset)) as Position;
      expect(a.userName).toMatch(/^\d{8}$/);
      expect(a.currency).toBe(a.asset.toUpperCase());
      expect(a.amountDigits).toBeLessThanOrEqual(p.scale);
      if (!plantedVenue.has(`amount|${key(a.userId, a.asset)}`))
        expect(a.amount).toBe(p.truth.amount / 10n ** BigInt(p.scale - a.amountDigits));
      expect(book.venueMappings).toContainEqual(
        expect.objectContaining({ venue: 'multimarkets', accountKey: a.userName, userId: a.userId, asset: a.asset }),
      );
    }
    for (const a of book.indxAccounts) {
      expect(a.wmid).toMatch(/^\d{12}$/);
      if (!plantedVenue.has(`wmz|${key(a.userId, 'usd')}`))
        expect(a.wmz).toBe(book.index.positionByKey.get(key(a.userId, 'usd'))?.truth.amount);
      expect(a.portfolio.length).toBeGreaterThan(0);
      for (const i of a.portfolio) {
        expect(i.asset).not.toBe('usd');
        if (!plantedVenue.has(`notes|${key(a.userId, i.asset)}`))
          expect(i.notes).toBe(book.index.positionByKey.get(key(a.userId, i.asset))?.truth.amount);
        expect(book.venueMappings).toContainEqual(
          expect.objectContaining({ venue: 'indx', accountKey: a.wmid, userId: a.userId, asset: i.asset }),
        );
      }
    }
  });

  it('keeps every invariant for any seed and user count (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), fc.integer({ min: 1, max: 40 }), (seed, users) => {
        const b = generateBook({ users, seed });
        const recomputed = recomputeTruth(b);
        for (const p of b.positions) {
          const t = recomputed.get(key(p.userId, p.asset));
          if (!t || t.amount !== p.truth.amount || t.locked !== p.truth.locked || p.truth.available < 0n) return false;
        }
        const planted = new Set(b.manifest.planted.map((d) => key(d.userId, d.asset)));
        const diff = differingPositions(b);
        const inViews = new Set(viewPlants(b).map((d) => key(d.userId, d.asset)));
        return (
          viewPlants(b).length === 5 && inViews.size === 5 && diff.size === 5 && [...diff].every((k) => inViews.has(k)) && planted.size >= 5
        );
      }),
      { numRuns: 40 },
    );
  });

  it('rejects a user count outside 1..1,000,000 and a malformed asOf', () => {
    expect(() => generateBook({ users: 0, seed: 1 })).toThrow(RangeError);
    expect(() => generateBook({ users: 1.5, seed: 1 })).toThrow(RangeError);
    expect(() => generateBook({ users: 5, seed: 1, asOf: 'yesterday' })).toThrow(RangeError);
    expect(generateBook({ users: 5, seed: 1, asOf: '2023-01-01' }).asOf).toBe('2023-01-01T00:00:00.000000Z');
  });
});
