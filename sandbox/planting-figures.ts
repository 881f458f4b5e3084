import { assetById, REPORTING_BALANCE_ROLES } from './assets';
import type { Book, BookUser, PlantedDiscrepancy, Position } from './book-types';
import { formatUnits, pow10, RAT_SCALE, toRootAsset } from './decimal';
import { NoCandidateError, type PlantContext, type Planter } from './plant-context';
import { rateOf } from './views';

const ratText = (units: bigint): string => formatUnits(units, RAT_SCALE);
/** One unit of an `*InRAT` figure (0.00000001) and 0.01 at that scale. */
const RAT_UNIT = 1n;
const RAT_CENT = pow10(RAT_SCALE - 2);

/** Σ Reporting assetAmountInRAT of a user's positions as Reporting lists them (8-decimal units). */
export function reportingTotalInRAT(book: Book, userId: string): bigint {
  let total = 0n;
  for (const p of book.index.positionsByUser.get(userId) ?? []) if (p.inReporting) total += p.reporting.assetAmountInRAT;
  return total;
}

/** Σ back-office fundsInRootAsset of a user's positions as the back office lists them (8-decimal units). */
export function backOfficeFundsInRAT(book: Book, userId: string): bigint {
  let total = 0n;
  for (const p of book.index.positionsByUser.get(userId) ?? [])
    if (p.inBackOffice) total += toRootAsset(p.backOffice.amount, p.scale, rateOf(p.asset));
  return total;
}

/** Σ Reporting assetAmount of one asset over users with a counted role, as Reporting lists the positions. */
export function countedAssetTotal(book: Book, asset: string): bigint {
  const counted = new Set<string>(REPORTING_BALANCE_ROLES);
  let total = 0n;
  for (const p of book.positions) {
    if (p.asset !== asset || !p.inReporting) continue;
    if (book.index.usersById.get(p.userId)?.roles.some((r) => counted.has(r))) total += p.reporting.assetAmount;
  }
  return total;
}

/** Users already carrying a root-asset plant (its plants go to distinct users). */
const rootAssetUsers = (ctx: PlantContext): Set<string> =>
  new Set(ctx.planted.filter((d) => d.check === 'root-asset').map((d) => d.userId));

const assetAmountInRatOff: Planter = {
  check: 'root-asset',
  name: 'assetAmountInRAT off by 0.01',
  optional: true,
  plant(ctx) {
    const others = rootAssetUsers(ctx);
    const p = ctx.take((c) => !others.has(c.userId), 'root-asset');
    const r = p.reporting;
    // expected is what the figure should read: assetAmount × rate rounded half-up to 8 decimals
    const expected = toRootAsset(r.assetAmount, p.scale, rateOf(p.asset));
    r.assetAmountInRAT = expected + RAT_CENT;
    return {
      check: 'root-asset',
      userId: p.userId,
      asset: p.asset,
      field: 'assetAmountInRAT',
      expected: ratText(expected),
      actual: ratText(r.assetAmountInRAT),
      difference: ratText(RAT_CENT),
      description: `Reporting assetAmountInRAT ${ratText(r.assetAmountInRAT)} is 0.01 above assetAmount ${formatUnits(r.assetAmount, p.scale)} × rateToRootAsset ${r.rateToRootAsset} rounded to 8 decimals`,
    };
  },
};

const splitInRatOff: Planter = {
  check: 'root-asset',
  name: 'lockedAssetAmountInRAT + availableAssetAmountInRAT two units above assetAmountInRAT',
  optional: true,
  plant(ctx) {
    const others = rootAssetUsers(ctx);
    const p = ctx.take((c) => !others.has(c.userId), 'root-asset');
    const r = p.reporting;
    // 0.00000002: just beyond the one unit the parts' separate roundings may explain
    r.availableAssetAmountInRAT = r.assetAmountInRAT - r.lockedAssetAmountInRAT + 2n * RAT_UNIT;
    const split = r.lockedAssetAmountInRAT + r.availableAssetAmountInRAT;
    return {
      check: 'root-asset',
      userId: p.userId,
      asset: p.asset,
      field: 'splitInRAT',
      expected: ratText(r.assetAmountInRAT),
      actual: ratText(split),
      difference: ratText(split - r.assetAmountInRAT),
      description: `Reporting lockedAssetAmountInRAT ${ratText(r.lockedAssetAmountInRAT)} + availableAssetAmountInRAT ${ratText(r.availableAssetAmountInRAT)} != assetAmountInRAT ${ratText(r.assetAmountInRAT)}`,
    };
  },
};

type UserTotalField = 'totalBalanceInRAT' | 'totalFundsInRootAsset';

/** A user total off by `off` (8-decimal units): expected = Σ of the positions that source lists, actual = expected + off. */
function userTotalDiscrepancy(book: Book, user: BookUser, field: UserTotalField, off: bigint): PlantedDiscrepancy {
  const expected = field === 'totalBalanceInRAT' ? reportingTotalInRAT(book, user.userId) : backOfficeFundsInRAT(book, user.userId);
  const [e, a] = [ratText(expected), ratText(expected + off)];
  return {
    check: 'root-asset',
    userId: user.userId,
    asset: '*',
    field,
    expected: e,
    actual: a,
    difference: ratText(off),
    description:
      field === 'totalBalanceInRAT'
        ? `Reporting users.totalBalanceInRAT of ${user.username} is ${a}, Σ users/balances assetAmountInRAT is ${e}`
        : `back office totalFundsInRootAsset of ${user.username} is ${a}, Σ fundsInRootAsset is ${e}`,
  };
}

function userTotalOff(name: string, field: UserTotalField, delta: (ctx: PlantContext) => bigint): Planter {
  return {
    check: 'root-asset',
    name,
    optional: true,
    plant(ctx) {
      const others = rootAssetUsers(ctx);
      const { book } = ctx;
      const user = ctx.takeUser(
        (u, positions) =>
          !others.has(u.userId) &&
          positions.length > 0 &&
          (field === 'totalBalanceInRAT' || !book.overrides.unknownToBackOffice.has(u.userId)),
        field,
      );
      const off = delta(ctx);
      const overrides = field === 'totalBalanceInRAT' ? book.overrides.totalBalanceInRAT : book.overrides.totalFundsInRootAsset;
      overrides.set(user.userId, off);
      return userTotalDiscrepancy(book, user, field, off);
    },
  };
}

const totalBalanceOff = userTotalOff(
  'users.totalBalanceInRAT one unit above the sum of assetAmountInRAT',
  'totalBalanceInRAT',
  () => RAT_UNIT,
);

const totalFundsOff = userTotalOff('back-office totalFundsInRootAsset above the sum of fundsInRootAsset', 'totalFundsInRootAsset', (ctx) =>
  ctx.rng.bigint(RAT_CENT, 1000n * pow10(RAT_SCALE)),
);

/** An asset total of `assets-and-balances` off by `off`: expected = Σ counted positions Reporting lists, actual = expected + off. */
function assetTotalDiscrepancy(book: Book, asset: string, off: bigint): PlantedDiscrepancy {
  const { scale } = assetById(asset);
  const sum = countedAssetTotal(book, asset);
  const text = (units: bigint) => formatUnits(units, scale);
  return {
    check: 'asset-totals',
    userId: '*',
    asset,
    field: 'assetAmount',
    expected: text(sum),
    actual: text(sum + off),
    difference: text(off),
    description: `assets-and-balances ${asset} assetAmount ${text(sum + off)} != Σ users/balances assetAmount of Trader, User and Market Maker users ${text(sum)}`,
  };
}

function assetTotalOff(name: string, assets: readonly string[], delta: (ctx: PlantContext, scale: number, sum: bigint) => bigint): Planter {
  return {
    check: 'asset-totals',
    name,
    optional: true,
    plant(ctx) {
      const start = ctx.rng.int(0, assets.length - 1);
      let asset: string | undefined;
      for (let k = 0; k < assets.length && asset === undefined; k++) {
        const candidate = assets[(start + k) % assets.length] as string;
        if (ctx.claimAsset(candidate)) asset = candidate;
      }
      if (asset === undefined) throw new NoCandidateError(`cannot plant "${name}": every asset taken`);
      const off = delta(ctx, assetById(asset).scale, countedAssetTotal(ctx.book, asset));
      ctx.book.overrides.assetTotals.set(asset, off);
      return assetTotalDiscrepancy(ctx.book, asset, off);
    },
  };
}

/**
 * The planted aggregate discrepancies (user totals, asset totals) restated over the book's
 * current views: new activity moves the sums they are measured against, never their planted offset. Throws if a
 * difference would change (activity must leave those users alone).
 */
export function restateAggregatePlants(book: Book, planted: readonly PlantedDiscrepancy[]): PlantedDiscrepancy[] {
  return planted.map((d) => {
    const user = () => {
      const u = book.index.usersById.get(d.userId);
      if (!u) throw new Error(`planted ${d.check} names unknown user ${d.userId}`);
      return u;
    };
    let next: PlantedDiscrepancy = d;
    if (d.check === 'asset-totals') next = assetTotalDiscrepancy(book, d.asset, book.overrides.assetTotals.get(d.asset) ?? 0n);
    else if (d.check === 'root-asset' && d.field === 'totalBalanceInRAT')
      next = userTotalDiscrepancy(book, user(), d.field, book.overrides.totalBalanceInRAT.get(d.userId) ?? 0n);
    else if (d.check === 'root-asset' && d.field === 'totalFundsInRootAsset')
      next = userTotalDiscrepancy(book, user(), d.field, book.overrides.totalFundsInRootAsset.get(d.userId) ?? 0n);
    if (next.difference !== d.difference)
      throw new Error(
        `restating ${d.check} ${d.field} of ${d.userId} ${d.asset} changed its difference ${d.difference} → ${next.difference}`,
      );
    return next;
  });
}

/**
 * A user Reporting lists that the back office does not know (`User with id:… not found.`), holding several assets:
 * one plant per asset Reporting holds, expected = its Reporting amount, actual 0 (the back office holds nothing).
 */
export const userNotFound: Planter = {
  check: 'presence',
  name: 'user unknown to the back office, holding several assets',
  optional: true,
  plant(ctx) {
    const held = (positions: readonly Position[]) => positions.filter((p) => p.inReporting && p.reporting.assetAmount !== 0n);
    const user = ctx.takeUser(
      (_u, positions) => held(positions).length >= 2 && positions.every((p) => !ctx.isMirrored(p)),
      'venue-less, wholly unplanted, several assets',
      true,
    );
    ctx.book.overrides.unknownToBackOffice.add(user.userId);
    return held(ctx.book.index.positionsByUser.get(user.userId) ?? []).map((p) => {
      const amount = formatUnits(p.reporting.assetAmount, p.scale);
      return {
        check: 'presence',
        userId: user.userId,
        asset: p.asset,
        field: 'user-not-found',
        expected: amount,
        actual: '0',
        difference: formatUnits(-p.reporting.assetAmount, p.scale),
        description: `Reporting lists ${amount} ${p.asset} for ${user.username}; the back office answers "User with id:${user.userId} not found."`,
      };
    });
  },
};

/** The root-asset plants: two positions, then two user totals (which read the final views). */
export const ROOT_ASSET_PLANTERS: readonly Planter[] = [assetAmountInRatOff, splitInRatOff, totalBalanceOff, totalFundsOff];
/** The asset-totals plants: an 18-decimal asset one unit off, another asset off by a large amount. */
export const ASSET_TOTALS_PLANTERS: readonly Planter[] = [
  assetTotalOff('18-decimal asset total off by one unit of the last decimal', ['eth', 'shib'], (_ctx, _scale, sum) =>
    sum >= 1n ? -1n : 1n,
  ),
  assetTotalOff(
    'asset total off by a large amount',
    ['usd', 'usdt', 'btc', 'ada'],
    (ctx, scale) => ctx.rng.bigint(1_000_000n, 1_000_000_000n) * pow10(scale),
  ),
];
