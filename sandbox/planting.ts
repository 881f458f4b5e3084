import { REPORTING_BALANCE_ROLES } from './assets';
import type { Book, PlantedCheck, PlantedDiscrepancy, Position } from './book-types';
import { positionKey } from './book-types';
import { formatUnits, minBigint, pow10 } from './decimal';
import { Rng } from './random';
import { refreshReportingRat } from './views';

/** What a planter may use: the built book, its own PRNG and a picker of still-unplanted positions. */
export interface PlantContext {
  readonly book: Book;
  readonly rng: Rng;
  /** key (userId|asset) of the position holding more than 2^53 whole units */
  readonly whaleKey: string;
  /** Takes a deterministic, not-yet-planted position of a counted-role user matching `accept`; throws if none. */
  take(accept: (p: Position) => boolean, why: string): Position;
}

/** One kind of planted discrepancy; `plant` mutates a view of the book and describes what it did. */
export interface Planter {
  readonly check: PlantedCheck;
  readonly name: string;
  /** Skipped (nothing planted) when the book has no position it can use, e.g. no venue account in a tiny book. */
  readonly optional?: boolean;
  plant(ctx: PlantContext): PlantedDiscrepancy;
}

const fmt = (p: Position, units: bigint): string => formatUnits(units, p.scale);

/** Reporting `availableAssetAmount` lowered by `delta`, so `assetAmount != locked + available` by exactly `delta`. */
function amountSplit(name: string, pick: (ctx: PlantContext) => { position: Position; delta: bigint }): Planter {
  return {
    check: 'amount-split',
    name,
    plant(ctx) {
      const { position: p, delta } = pick(ctx);
      const r = p.reporting;
      r.availableAssetAmount -= delta;
      refreshReportingRat(r, p.asset, p.scale);
      const expected = r.lockedAssetAmount + r.availableAssetAmount;
      return {
        check: 'amount-split',
        userId: p.userId,
        asset: p.asset,
        field: 'assetAmount',
        expected: fmt(p, expected),
        actual: fmt(p, r.assetAmount),
        difference: fmt(p, r.assetAmount - expected),
        description: `Reporting users/balances: assetAmount ${fmt(p, r.assetAmount)} != lockedAssetAmount ${fmt(p, r.lockedAssetAmount)} + availableAssetAmount ${fmt(p, r.availableAssetAmount)} (${name})`,
      };
    },
  };
}

/** The ordered list of planters; a new check kind is one more entry here (each gets its own PRNG stream). */
export const PLANTERS: readonly Planter[] = [
  amountSplit('18-decimal asset off by one unit of the last decimal', (ctx) => ({
    position: ctx.take(
      (p) => p.scale === 18 && positionKey(p.userId, p.asset) !== ctx.whaleKey && p.reporting.availableAssetAmount >= 1n,
      '18-decimal',
    ),
    delta: 1n,
  })),
  amountSplit('position above 2^53 whole units off by one whole unit', (ctx) => ({
    position: ctx.take((p) => positionKey(p.userId, p.asset) === ctx.whaleKey, 'whale'),
    delta: pow10(18),
  })),
  amountSplit('usdt off by 0.01', (ctx) => ({
    position: ctx.take((p) => p.asset === 'usdt' && p.reporting.availableAssetAmount >= 10_000n, 'usdt'),
    delta: 10_000n,
  })),
  {
    check: 'cross-source',
    name: 'back-office amount and available overstated',
    plant(ctx) {
      const p = ctx.take(() => true, 'cross-source amount');
      const delta = ctx.rng.bigint(1n, pow10(p.scale));
      p.backOffice.amount += delta;
      p.backOffice.available += delta;
      return {
        check: 'cross-source',
        userId: p.userId,
        asset: p.asset,
        field: 'amount',
        expected: fmt(p, p.reporting.assetAmount),
        actual: fmt(p, p.backOffice.amount),
        difference: fmt(p, p.backOffice.amount - p.reporting.assetAmount),
        description: `Back office amount ${fmt(p, p.backOffice.amount)} (and available) exceeds reporting assetAmount ${fmt(p, p.reporting.assetAmount)}`,
      };
    },
  },
  {
    check: 'cross-source',
    name: 'back-office funds moved from available to locked',
    plant(ctx) {
      const p = ctx.take((c) => c.backOffice.available >= 1n, 'cross-source locked');
      const oneWholeUnit = pow10(p.scale);
      const delta = ctx.rng.bigint(1n, minBigint(p.backOffice.available, oneWholeUnit));
      p.backOffice.locked += delta;
      p.backOffice.available -= delta;
      return {
        check: 'cross-source',
        userId: p.userId,
        asset: p.asset,
        field: 'locked',
        expected: fmt(p, p.reporting.lockedAssetAmount),
        actual: fmt(p, p.backOffice.locked),
        difference: fmt(p, p.backOffice.locked - p.reporting.lockedAssetAmount),
        description: `Back office locked ${fmt(p, p.backOffice.locked)} != reporting lockedAssetAmount ${fmt(p, p.reporting.lockedAssetAmount)} (available lowered by the same amount)`,
      };
    },
  },
  multiMarketsShift('one unit of amount_digits short, the smallest difference a truncating venue can show', () => -1n),
  multiMarketsShift('overstated by several units of amount_digits', (ctx) => ctx.rng.bigint(2n, 1000n)),
  {
    check: 'venue-indx',
    name: 'wmz one cent above the usd balance it mirrors',
    optional: true,
    plant(ctx) {
      const p = ctx.take((c) => c.asset === 'usd' && indxAccountOf(ctx.book, c.userId) !== undefined, 'INDX-mirrored usd');
      const account = indxAccountOf(ctx.book, p.userId) as NonNullable<ReturnType<typeof indxAccountOf>>;
      account.wmz += 1n;
      return venueDiscrepancy(
        'venue-indx',
        p,
        'wmz',
        account.wmz,
        2,
        `INDX ${account.wmid} wmz one cent above reporting usd ${fmt(p, p.reporting.assetAmount)}`,
      );
    },
  },
  {
    check: 'venue-indx',
    name: 'portfolio notes one unit of the last decimal short',
    optional: true,
    plant(ctx) {
      const instrumentOf = (c: Position) => indxAccountOf(ctx.book, c.userId)?.portfolio.find((instrument) => instrument.asset === c.asset);
      const p = ctx.take((c) => instrumentOf(c) !== undefined, 'INDX-mirrored instrument');
      const instrument = instrumentOf(p) as NonNullable<ReturnType<typeof instrumentOf>>;
      instrument.notes -= 1n;
      return venueDiscrepancy(
        'venue-indx',
        p,
        'notes',
        instrument.notes,
        instrument.scale,
        `INDX ${instrument.name} notes one unit short of reporting ${fmt(p, p.reporting.assetAmount)}`,
      );
    },
  },
];

/** A planted venue difference: the venue's figure (at its own scale) against the reporting `assetAmount` it mirrors. */
function venueDiscrepancy(
  check: 'venue-multimarkets' | 'venue-indx',
  p: Position,
  field: string,
  venueUnits: bigint,
  venueScale: number,
  description: string,
): PlantedDiscrepancy {
  const venueAtPositionScale = venueUnits * pow10(p.scale - venueScale);
  return {
    check,
    userId: p.userId,
    asset: p.asset,
    field,
    expected: fmt(p, p.reporting.assetAmount),
    actual: formatUnits(venueUnits, venueScale),
    difference: fmt(p, venueAtPositionScale - p.reporting.assetAmount),
    description,
  };
}

const multiMarketsAccountOf = (book: Book, p: Position) =>
  book.multiMarketsAccounts.find((account) => account.userId === p.userId && account.asset === p.asset);
const indxAccountOf = (book: Book, userId: string) => book.indxAccounts.find((account) => account.userId === userId);

/** MultiMarkets `amount` shifted by `units` of its `amount_digits` (the venue mirrors a truncated truth). */
function multiMarketsShift(name: string, units: (ctx: PlantContext) => bigint): Planter {
  return {
    check: 'venue-multimarkets',
    name,
    optional: true,
    plant(ctx) {
      const p = ctx.take((c) => multiMarketsAccountOf(ctx.book, c) !== undefined, 'MultiMarkets-mirrored');
      const account = multiMarketsAccountOf(ctx.book, p) as NonNullable<ReturnType<typeof multiMarketsAccountOf>>;
      account.amount += units(ctx);
      return venueDiscrepancy(
        'venue-multimarkets',
        p,
        'amount',
        account.amount,
        account.amountDigits,
        `MultiMarkets ${account.userName} ${account.currency} amount ${formatUnits(account.amount, account.amountDigits)} does not mirror reporting ${fmt(p, p.reporting.assetAmount)} (${name})`,
      );
    },
  };
}

/** Thrown by `take` when no free position fits; an optional planter then plants nothing. */
class NoCandidateError extends Error {
  override readonly name = 'NoCandidateError';
}

/** Runs every planter over the book, each on a distinct user × asset, and returns what was planted. */
export function plantDiscrepancies(book: Book, whaleKey: string, planters: readonly Planter[] = PLANTERS): PlantedDiscrepancy[] {
  const counted = new Set<string>(REPORTING_BALANCE_ROLES);
  const candidates = book.positions.filter((p) => book.index.usersById.get(p.userId)?.roles.some((r) => counted.has(r)));
  const used = new Set<string>();
  return planters.flatMap((planter, i) => {
    const rng = new Rng((book.seed * 7919 + 104_729 * (i + 1)) | 0);
    const take = (accept: (p: Position) => boolean, why: string): Position => {
      const start = candidates.length > 0 ? rng.int(0, candidates.length - 1) : 0;
      for (let k = 0; k < candidates.length; k++) {
        const p = candidates[(start + k) % candidates.length] as Position;
        const key = positionKey(p.userId, p.asset);
        if (used.has(key) || !accept(p)) continue;
        used.add(key);
        return p;
      }
      throw new NoCandidateError(`cannot plant "${planter.name}": no free ${why} position (too few users?)`);
    };
    try {
      return [planter.plant({ book, rng, whaleKey, take })];
    } catch (error) {
      if (planter.optional && error instanceof NoCandidateError) return [];
      throw error;
    }
  });
}
