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

/** assetAmount × rateToRootAsset, exact (units at `scale + rate scale`). */
function exactRat(p: Position): { units: bigint; scale: number } {
  const rate = rateOf(p.asset);
  return { units: p.reporting.assetAmount * rate.units, scale: p.scale + rate.scale };
}

const exactAtRatScale = (p: Position): boolean => {
  const { units, scale } = exactRat(p);
  return scale <= RAT_SCALE || units % pow10(scale - RAT_SCALE) === 0n;
};

const assetAmountInRatOff: Planter = {
  check: 'root-asset',
  name: 'assetAmountInRAT off by 0.01',
  optional: true,
  plant(ctx) {
    const others = rootAssetUsers(ctx);
    let p: Position;
    try {
      // where assetAmount × rate is exact at 8 decimals (always in usd), the difference is exactly 0.01
      p = ctx.take((c) => !others.has(c.userId) && exactAtRatScale(c), 'exactly convertible');
    } catch (error) {
      if (!(error instanceof NoCandidateError)) throw error;
      p = ctx.take((c) => !others.has(c.userId), 'root-asset');
    }
    const r = p.reporting;
    r.assetAmountInRAT += RAT_CENT;
    const expected = exactRat(p);
    const scale = Math.max(expected.scale, RAT_SCALE);
    const actualUnits = r.assetAmountInRAT * pow10(scale - RAT_SCALE);
    const expectedUnits = expected.units * pow10(scale - expected.scale);
    return {
      check: 'root-asset',
      userId: p.userId,
      asset: p.asset,
      field: 'assetAmountInRAT',
      expected: formatUnits(expectedUnits, scale),
      actual: ratText(r.assetAmountInRAT),
      difference: formatUnits(actualUnits - expectedUnits, scale),
      description: `Reporting assetAmountInRAT ${ratText(r.assetAmountInRAT)} is 0.01 above assetAmount ${formatUnits(r.assetAmount, p.scale)} × rateToRootAsset ${r.rateToRootAsset}`,
    };
  },
};

const splitInRatOff: Planter = {
  check: 'root-asset',
  name: 'lockedAssetAmountInRAT + availableAssetAmountInRAT three units above assetAmountInRAT',
  optional: true,
  plant(ctx) {
    const others = rootAssetUsers(ctx);
    const p = ctx.take((c) => !others.has(c.userId), 'root-asset');
    const r = p.reporting;
    // 0.00000003: just beyond the 0.00000002 the separate roundings may explain
    r.availableAssetAmountInRAT = r.assetAmountInRAT - r.lockedAssetAmountInRAT + 3n * RAT_UNIT;
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

function userTotalOff(
  name: string,
  field: 'totalBalanceInRAT' | 'totalFundsInRootAsset',
  delta: (ctx: PlantContext) => bigint,
  describe: (user: BookUser, expected: string, actual: string) => string,
): Planter {
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
      const expected = field === 'totalBalanceInRAT' ? reportingTotalInRAT(book, user.userId) : backOfficeFundsInRAT(book, user.userId);
      const off = delta(ctx);
      const overrides = field === 'totalBalanceInRAT' ? book.overrides.totalBalanceInRAT : book.overrides.totalFundsInRootAsset;
      overrides.set(user.userId, off);
      return {
        check: 'root-asset',
        userId: user.userId,
        asset: '*',
        field,
        expected: ratText(expected),
        actual: ratText(expected + off),
        difference: ratText(off),
        description: describe(user, ratText(expected), ratText(expected + off)),
      };
    },
  };
}

const totalBalanceOff = userTotalOff(
  'users.totalBalanceInRAT one unit above the sum of assetAmountInRAT',
  'totalBalanceInRAT',
  () => RAT_UNIT,
  (u, expected, actual) =>
    `Reporting users.totalBalanceInRAT of ${u.username} is ${actual}, Σ users/balances assetAmountInRAT is ${expected}`,
);

const totalFundsOff = userTotalOff(
  'back-office totalFundsInRootAsset above the sum of fundsInRootAsset',
  'totalFundsInRootAsset',
  (ctx) => ctx.rng.bigint(RAT_CENT, 1000n * pow10(RAT_SCALE)),
  (u, expected, actual) => `back office totalFundsInRootAsset of ${u.username} is ${actual}, Σ fundsInRootAsset is ${expected}`,
);

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
      const { scale } = assetById(asset);
      const sum = countedAssetTotal(ctx.book, asset);
      const off = delta(ctx, scale, sum);
      ctx.book.overrides.assetTotals.set(asset, off);
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
    },
  };
}

/** Every user with none of the counted roles holding a non-zero balance: invisible in Reporting's totals. */
const roleExcluded: Planter = {
  check: 'presence',
  name: 'balance of a user whose roles Reporting totals leave out',
  plant(ctx) {
    const { book } = ctx;
    const counted = new Set<string>(REPORTING_BALANCE_ROLES);
    const out: PlantedDiscrepancy[] = [];
    for (const user of book.users) {
      if (user.roles.some((r) => counted.has(r))) continue;
      const positions = book.index.positionsByUser.get(user.userId) ?? [];
      if (!positions.some((p) => p.inReporting && p.reporting.assetAmount !== 0n)) continue;
      const total = reportingTotalInRAT(book, user.userId) + (book.overrides.totalBalanceInRAT.get(user.userId) ?? 0n);
      out.push({
        check: 'presence',
        userId: user.userId,
        asset: '*',
        field: 'role-excluded',
        expected: '0',
        actual: ratText(total),
        difference: ratText(total),
        description: `${user.username} (roles ${user.roles.join(', ')}) holds ${ratText(total)} usd in total, which Reporting's balance totals leave out`,
      });
    }
    return out;
  },
};

/** A user Reporting lists that the back office does not know (`User with id:… not found.`). */
export const userNotFound: Planter = {
  check: 'presence',
  name: 'user unknown to the back office',
  optional: true,
  plant(ctx) {
    const user = ctx.takeUser(
      (_u, positions) => positions.length > 0 && positions.every((p) => !ctx.isMirrored(p)),
      'venue-less, wholly unplanted',
      true,
    );
    ctx.book.overrides.unknownToBackOffice.add(user.userId);
    return {
      check: 'presence',
      userId: user.userId,
      asset: '*',
      field: 'user-not-found',
      expected: '0',
      actual: '0',
      difference: '0',
      description: `Reporting lists ${user.username}; the back office answers "User with id:${user.userId} not found."`,
    };
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
/** The user-level presence plant that lists every role-excluded user (runs last, over the final views). */
export const ROLE_EXCLUDED_PLANTERS: readonly Planter[] = [roleExcluded];
