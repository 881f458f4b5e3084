import { assetById } from './assets';
import type { BookUser, IndxAccount, MultiMarketsAccount, Position, VenueMapping } from './book-types';
import { SANDBOX_INDX_TRADERS } from './credentials';
import { rescaleTruncate } from './decimal';
import type { Rng, Weighted } from './random';

/** MultiMarkets `amount_digits` choices per asset: the asset's scale (most often) or coarser. */
const MM_DIGITS: Readonly<Record<string, readonly Weighted<number>[]>> = {
  usd: [[2, 1]],
  usdt: [
    [6, 6],
    [4, 2],
    [2, 2],
  ],
  btc: [
    [8, 7],
    [6, 3],
  ],
  eth: [
    [18, 7],
    [8, 3],
  ],
  ada: [
    [6, 7],
    [2, 3],
  ],
  shib: [
    [18, 7],
    [8, 3],
  ],
};

/** INDX instrument ids/names of the non-usd assets an INDX portfolio can mirror. */
export const INDX_INSTRUMENTS: Readonly<Record<string, { id: number; name: string }>> = {
  btc: { id: 101, name: 'BTC' },
  eth: { id: 102, name: 'ETH' },
  ada: { id: 103, name: 'ADA' },
  shib: { id: 104, name: 'SHIB' },
  usdt: { id: 105, name: 'USDT' },
};

/** How a trader's mapping rows name its credentials (by variable, never the values) and culture. */
function indxSigning(account: IndxAccount): Pick<VenueMapping & { venue: 'indx' }, 'login' | 'password' | 'culture'> {
  const own = account.credentials;
  if (!own) return { culture: 'en-EN' };
  return { login: { env: own.loginVariable }, password: { env: own.passwordVariable }, culture: own.culture };
}

/** The MultiMarkets companyId's tenant prefix of thirdServerCode values. */
const THIRD_SERVER_PREFIX = 'BRC';

/** Venue accounts of a book plus the mapping list a reconciler uses to join them to users. */
export interface VenueAccounts {
  multiMarkets: MultiMarketsAccount[];
  indx: IndxAccount[];
  mappings: VenueMapping[];
}

/**
 * Gives some users a MultiMarkets account (mirroring one position's truth amount, truncated to `amount_digits`)
 * and some usd holders an INDX account (`wmz` = usd amount, instruments' `notes` = other assets' amounts).
 */
export function generateVenueAccounts(
  rng: Rng,
  users: readonly BookUser[],
  positionsByUser: ReadonlyMap<string, Position[]>,
): VenueAccounts {
  const out: VenueAccounts = { multiMarkets: [], indx: [], mappings: [] };
  const wmids = new Set<string>();
  let mmSerial = 0;
  const addMultiMarkets = (user: BookUser, positions: readonly Position[]) => {
    const p = rng.pick(positions);
    const amountDigits = rng.weighted(MM_DIGITS[p.asset] ?? [[p.scale, 1]]);
    const account: MultiMarketsAccount = {
      thirdServerCode: `${THIRD_SERVER_PREFIX}${String(++mmSerial).padStart(7, '0')}`,
      userName: String(86_000_000 + mmSerial),
      currency: p.asset.toUpperCase(),
      amountDigits,
      amount: rescaleTruncate(p.truth.amount, p.scale, amountDigits),
      userId: user.userId,
      asset: p.asset,
    };
    out.multiMarkets.push(account);
    out.mappings.push({
      venue: 'multimarkets',
      accountKey: account.userName,
      userId: user.userId,
      asset: p.asset,
      thirdServerCode: account.thirdServerCode,
      userName: account.userName,
      currency: account.currency,
      amountDigits,
    });
  };
  const addIndx = (user: BookUser, usd: Position, others: readonly Position[]) => {
    let wmid = rng.digits(12);
    while (wmids.has(wmid)) wmid = rng.digits(12);
    wmids.add(wmid);
    const chosen = rng.shuffle(others).slice(0, rng.int(1, Math.min(2, others.length)));
    const account: IndxAccount = {
      wmid,
      nickname: user.username,
      userId: user.userId,
      wmz: usd.truth.amount,
      portfolio: chosen.map((p) => {
        const instrument = INDX_INSTRUMENTS[p.asset] as { id: number; name: string };
        return {
          id: instrument.id,
          name: instrument.name,
          asset: p.asset,
          notes: p.truth.amount,
          scale: p.scale,
          price: assetById(p.asset).rateToRootAsset,
          type: 'crypto',
          kind: 1,
          by: 0,
        };
      }),
      // The first traders have their own API credentials; the rest share the sandbox's.
      credentials: SANDBOX_INDX_TRADERS[out.indx.length] ?? null,
    };
    out.indx.push(account);
    const signing = indxSigning(account);
    out.mappings.push({
      venue: 'indx',
      accountKey: wmid,
      userId: user.userId,
      asset: 'usd',
      wmid,
      instrument: 'wmz',
      instrumentId: null,
      ...signing,
    });
    for (const i of account.portfolio) {
      out.mappings.push({
        venue: 'indx',
        accountKey: wmid,
        userId: user.userId,
        asset: i.asset,
        wmid,
        instrument: i.name,
        instrumentId: i.id,
        ...signing,
      });
    }
  };

  let firstIndxCandidate: { user: BookUser; usd: Position; others: Position[] } | undefined;
  for (const user of users) {
    const positions = positionsByUser.get(user.userId) ?? [];
    if (positions.length === 0) continue;
    if (rng.chance(0.25)) addMultiMarkets(user, positions);
    const usd = positions.find((p) => p.asset === 'usd');
    const others = positions.filter((p) => p.asset in INDX_INSTRUMENTS);
    if (usd && others.length > 0) {
      firstIndxCandidate ??= { user, usd, others };
      if (rng.chance(0.2)) addIndx(user, usd, others);
    }
  }
  // at least one account of each venue whenever the book allows it
  const firstUser = users.find((u) => (positionsByUser.get(u.userId) ?? []).length > 0);
  if (out.multiMarkets.length === 0 && firstUser) addMultiMarkets(firstUser, positionsByUser.get(firstUser.userId) ?? []);
  if (out.indx.length === 0 && firstIndxCandidate) addIndx(firstIndxCandidate.user, firstIndxCandidate.usd, firstIndxCandidate.others);
  return out;
}
