import { ASSETS, MARKETS, ROOT_ASSET } from './assets';
import { computeTrueBalances, type Holding } from './balances';
import type { Amounts, Book, BookIndex, BookLogin, BookUser, IndxAccount, MultiMarketsAccount, Position } from './book-types';
import { positionKey } from './book-types';
import { generateUserHistory, type HistorySink, type IdCounters, WHALE_ASSET } from './history';
import { outsideTotalsOf } from './outside-totals';
import { plantDiscrepancies } from './planting';
import { Rng } from './random';
import { isoFromMicros, parseIsoToMicros } from './time';
import { FEE_GROUP_BPS, generateProfile } from './user-profiles';
import { generateVenueAccounts } from './venues';
import { makePosition } from './views';

/** Options of `generateBook`: how many users, which seed, and the instant all history precedes. */
export interface GenerateBookOptions {
  users: number;
  seed: number;
  asOf?: string;
}

/** Default `asOf` of a generated book. */
export const DEFAULT_AS_OF = '2024-06-30T00:00:00.000000Z';
/** Fewest users a book can hold (a lone user holds every asset so the planted discrepancies still fit). */
export const MIN_USERS = 1;
/** Most users a book may hold (memory guard). */
export const MAX_USERS = 1_000_000;

const ASSET_IDS = ASSETS.map((a) => a.id);
const WHALE_ASSETS = [WHALE_ASSET, 'usdt', 'eth'];

function appendAll<T>(target: T[], items: readonly T[]): void {
  for (const item of items) target.push(item);
}

/** Independent PRNG stream per generation phase, so adding to one phase never reshuffles another. */
function phaseRng(seed: number, phase: number): Rng {
  return new Rng((Math.imul(seed, 0x2c1b3c6d) ^ Math.imul(phase, 0x297a2d39)) | 0);
}

/**
 * Generates a deterministic exchange book: users and their history, the true balances that history implies,
 * the back-office and reporting views of them (equal except at planted discrepancies), venue accounts and the
 * manifest listing what was planted. Linear in `users`.
 */
export function generateBook(options: GenerateBookOptions): Book {
  const { users: userCount, seed } = options;
  if (!Number.isSafeInteger(userCount) || userCount < MIN_USERS || userCount > MAX_USERS) {
    throw new RangeError(`users must be an integer in [${MIN_USERS}, ${MAX_USERS}], got ${userCount}`);
  }
  if (!Number.isSafeInteger(seed)) throw new RangeError(`seed must be a safe integer, got ${seed}`);
  const asOfUs = parseIsoToMicros(options.asOf ?? DEFAULT_AS_OF);
  if (asOfUs === undefined || asOfUs < 800 * 86_400_000_000)
    throw new RangeError(`asOf must be an ISO date-time after 1972, got ${options.asOf}`);
  const asOf = isoFromMicros(asOfUs);

  const rng = phaseRng(seed, 1);
  const whaleIndex = rng.int(0, userCount - 1);
  const companionIndex = (whaleIndex + 1) % userCount;
  const users: BookUser[] = [];
  const logins: BookLogin[] = [];
  const holdings: Holding[] = [];
  const truths: Map<string, Amounts>[] = [];
  const sink: HistorySink = { transfers: [], orders: [], trades: [], openOrders: [] };
  const ids: IdCounters = { transfer: 0, order: 1_000_000_000, execution: 3_000_000_000 };

  for (let i = 0; i < userCount; i++) {
    const whale = i === whaleIndex;
    const { user, createdAtUs } = generateProfile(rng, i + 1, asOfUs, whale || i === companionIndex, logins);
    const held = new Set(rng.shuffle(ASSET_IDS).slice(0, rng.int(2, 4)));
    if (userCount === 1) for (const a of ASSET_IDS) held.add(a);
    else if (whale) {
      for (const a of WHALE_ASSETS) held.add(a);
      while (held.size > 4) held.delete([...held].find((a) => !WHALE_ASSETS.includes(a)) as string);
    }
    const assets = ASSET_IDS.filter((a) => held.has(a));
    const holding: Holding = { userId: user.userId, assets };
    const own: HistorySink = { transfers: [], orders: [], trades: [], openOrders: [] };
    generateUserHistory(
      rng,
      { userId: user.userId, createdAtUs, asOfUs, heldAssets: assets, feeBps: FEE_GROUP_BPS[user.feeGroupId] ?? 0n, whale },
      ids,
      own,
    );
    users.push(user);
    holdings.push(holding);
    truths.push(computeTrueBalances(holding, own));
    appendAll(sink.transfers, own.transfers);
    appendAll(sink.orders, own.orders);
    appendAll(sink.trades, own.trades);
    appendAll(sink.openOrders, own.openOrders);
  }
  const positions: Position[] = [];
  const index: BookIndex = {
    usersById: new Map(users.map((u) => [u.userId, u])),
    positionsByUser: new Map(),
    positionByKey: new Map(),
    multiMarketsByUserName: new Map(),
    indxByWmid: new Map(),
  };
  holdings.forEach((h, i) => {
    const truth = truths[i] as Map<string, Amounts>;
    const own: Position[] = [];
    for (const asset of h.assets) {
      const key = positionKey(h.userId, asset);
      const p = makePosition(h.userId, asset, truth.get(asset) as Amounts);
      positions.push(p);
      own.push(p);
      index.positionByKey.set(key, p);
    }
    index.positionsByUser.set(h.userId, own);
  });

  const venues = generateVenueAccounts(phaseRng(seed, 2), users, index.positionsByUser);
  for (const a of venues.multiMarkets) index.multiMarketsByUserName.set(a.userName, a);
  for (const a of venues.indx) index.indxByWmid.set(a.wmid, a);

  const book: Book = {
    seed,
    asOf,
    revision: 0,
    ids,
    rootAsset: ROOT_ASSET,
    assets: ASSETS.map((a) => ({ ...a })),
    markets: MARKETS.map((m) => ({ ...m })),
    users,
    logins,
    transfers: sink.transfers,
    orders: sink.orders,
    trades: sink.trades,
    openOrders: sink.openOrders,
    positions,
    reportingPositions: positions,
    overrides: { assetTotals: new Map(), totalBalanceInRAT: new Map(), totalFundsInRootAsset: new Map(), unknownToBackOffice: new Set() },
    multiMarketsAccounts: venues.multiMarkets as MultiMarketsAccount[],
    indxAccounts: venues.indx as IndxAccount[],
    venueMappings: venues.mappings,
    manifest: { seed, users: userCount, asOf, planted: [], outsideTotals: {}, inFlight: [], edgeCases: [] },
    index,
  };
  const whaleUser = users[whaleIndex] as BookUser;
  const { planted, inFlight, edgeCases } = plantDiscrepancies(book, positionKey(whaleUser.userId, WHALE_ASSET), ids);
  book.manifest.planted = planted;
  book.manifest.inFlight = inFlight;
  book.manifest.edgeCases = edgeCases;
  book.reportingPositions = positions.filter((p) => p.inReporting);
  book.manifest.outsideTotals = outsideTotalsOf(book);
  return book;
}
