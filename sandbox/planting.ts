import { REPORTING_BALANCE_ROLES } from './assets';
import type { Book, BookUser, EdgeCase, InFlightEntry, PlantedDiscrepancy, Position } from './book-types';
import { positionKey } from './book-types';
import { formatUnits, minBigint, pow10 } from './decimal';
import type { IdCounters } from './history';
import { HistoryEditor, mirroredKeys, NoCandidateError, type PlantContext, type Planter } from './plant-context';
import { ASSET_TOTALS_PLANTERS, ROOT_ASSET_PLANTERS, userNotFound } from './planting-figures';
import { LOCKED_ORDERS_PLANTERS, POSITION_PRESENCE_PLANTERS, ROLL_FORWARD_PLANTERS, SANITY_PLANTERS } from './planting-history';
import { Rng } from './random';
import { refreshReportingRat } from './views';

export type { PlantContext, Planter } from './plant-context';

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

/**
 * The back office's available funds (`GET …/balance/`) one unit of the asset's scale below its `POST /balances`
 * amount − locked: the smallest back-office split a reconciliation must see. amount and locked stay as Reporting has
 * them, so cross-source, presence and the root-asset totals (built from amount) are untouched.
 */
const backOfficeAvailableOff: Planter = {
  check: 'amount-split',
  name: 'back-office available one unit of the last decimal below amount − locked',
  optional: true,
  plant(ctx) {
    const p = ctx.take((c) => c.inBackOffice && c.backOffice.available >= 1n, 'back-office');
    const bo = p.backOffice;
    bo.available -= 1n;
    const expected = bo.locked + bo.available;
    return {
      check: 'amount-split',
      userId: p.userId,
      asset: p.asset,
      field: 'backoffice.amount',
      expected: fmt(p, expected),
      actual: fmt(p, bo.amount),
      difference: fmt(p, bo.amount - expected),
      description: `Back office POST /balances amount ${fmt(p, bo.amount)} != locked ${fmt(p, bo.locked)} + GET …/balance/ balance ${fmt(p, bo.available)}`,
    };
  },
};

/** The first nine planters (view and venue plants); their order and PRNG streams are fixed. */
const VIEW_AND_VENUE_PLANTERS: readonly Planter[] = [
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

/**
 * The ordered list of planters (each gets its own PRNG stream, by position): the view and venue plants first
 * (unchanged), the user the back office does not know (it needs a wholly unplanted user), then the history plants
 * (roll-forward with its in-flight rows and edge cases, locked-orders, sanity), the positions hidden from one source,
 * and last the figure plants (root-asset, asset-totals), which read the final views, and last the
 * back-office available that disagrees with its own amount − locked. Bots and Admins holding funds
 * are no plant: the reporting document leaves their roles out of its totals.
 */
export const PLANTERS: readonly Planter[] = [
  ...VIEW_AND_VENUE_PLANTERS,
  userNotFound,
  ...ROLL_FORWARD_PLANTERS,
  ...LOCKED_ORDERS_PLANTERS,
  ...SANITY_PLANTERS,
  ...POSITION_PRESENCE_PLANTERS,
  ...ROOT_ASSET_PLANTERS,
  ...ASSET_TOTALS_PLANTERS,
  // last, so that adding it moved no earlier planter's PRNG stream
  backOfficeAvailableOff,
];

/** What planting put into the book's manifest. */
export interface PlantingResult {
  planted: PlantedDiscrepancy[];
  inFlight: InFlightEntry[];
  edgeCases: EdgeCase[];
}

/**
 * Runs every planter over the book, each on its own user × asset (or user, or asset), applies the history edits
 * (recomputing the truth of the users they touch) and returns what was planted.
 */
export function plantDiscrepancies(book: Book, whaleKey: string, ids: IdCounters, planters: readonly Planter[] = PLANTERS): PlantingResult {
  const counted = new Set<string>(REPORTING_BALANCE_ROLES);
  const isCounted = (userId: string) => book.index.usersById.get(userId)?.roles.some((r) => counted.has(r)) === true;
  const candidates = book.positions.filter((p) => isCounted(p.userId));
  const countedUsers = book.users.filter((u) => isCounted(u.userId));
  const mirrored = mirroredKeys(book);
  const history = new HistoryEditor(book, ids);
  const used = new Set<string>();
  const result: PlantingResult = { planted: [], inFlight: [], edgeCases: [] };
  const free = (p: Position) => !used.has(positionKey(p.userId, p.asset));

  planters.forEach((planter, i) => {
    const rng = new Rng((book.seed * 7919 + 104_729 * (i + 1)) | 0);
    const none = (why: string) => new NoCandidateError(`cannot plant "${planter.name}": no free ${why} (too few users?)`);
    const claim = (positions: readonly Position[]) => {
      for (const p of positions) used.add(positionKey(p.userId, p.asset));
    };
    const ctx: PlantContext = {
      book,
      rng,
      whaleKey,
      take(accept, why) {
        const start = candidates.length > 0 ? rng.int(0, candidates.length - 1) : 0;
        for (let k = 0; k < candidates.length; k++) {
          const p = candidates[(start + k) % candidates.length] as Position;
          if (!free(p) || !accept(p)) continue;
          claim([p]);
          return p;
        }
        throw none(`${why} position`);
      },
      takeFrom(rows, positionsOf, why) {
        const start = rows.length > 0 ? rng.int(0, rows.length - 1) : 0;
        for (let k = 0; k < rows.length; k++) {
          const row = rows[(start + k) % rows.length] as (typeof rows)[number];
          const positions = positionsOf(row);
          if (!positions || positions.length === 0 || !positions.every((p) => free(p) && isCounted(p.userId))) continue;
          if (new Set(positions.map((p) => p.asset)).size !== positions.length) continue;
          claim(positions);
          return { row, positions };
        }
        throw none(why);
      },
      takeUser(accept, why, whole = false) {
        const start = countedUsers.length > 0 ? rng.int(0, countedUsers.length - 1) : 0;
        for (let k = 0; k < countedUsers.length; k++) {
          const user = countedUsers[(start + k) % countedUsers.length] as BookUser;
          const userKey = positionKey(user.userId, '*');
          const positions = book.index.positionsByUser.get(user.userId) ?? [];
          if (used.has(userKey) || (whole && !positions.every(free)) || !accept(user, positions)) continue;
          used.add(userKey);
          if (whole) claim(positions);
          return user;
        }
        throw none(`${why} user`);
      },
      claimAsset(asset) {
        const key = positionKey('*', asset);
        if (used.has(key)) return false;
        used.add(key);
        return true;
      },
      isFree: free,
      isMirrored: (p) => mirrored.has(positionKey(p.userId, p.asset)),
      position: (userId, asset) => book.index.positionByKey.get(positionKey(userId, asset)),
      history,
      planted: result.planted,
      addInFlight: (entry) => result.inFlight.push(entry),
      addEdgeCase: (entry) => result.edgeCases.push(entry),
    };
    try {
      const out = planter.plant(ctx);
      if (Array.isArray(out)) for (const d of out as readonly PlantedDiscrepancy[]) result.planted.push(d);
      else result.planted.push(out as PlantedDiscrepancy);
    } catch (error) {
      if (!(planter.optional && error instanceof NoCandidateError)) throw error;
    }
  });
  history.commit();
  return result;
}
