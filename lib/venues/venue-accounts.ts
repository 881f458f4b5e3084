import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { ConfigError } from '../errors';
import { formatPath } from '../zod-issues';

const userId = z.string().min(1, 'expected a user id');
const assetId = z.string().regex(/^[a-z0-9]+$/, 'expected an asset id (lower-case letters and digits, e.g. "usd")');

/** A MultiMarkets account mirroring one user × asset: `(thirdServerCode, userName, currency)` is the account. */
export const multiMarketsVenueAccountSchema = z.strictObject({
  thirdServerCode: z.string().min(1, 'expected the thirdServerCode'),
  userName: z.string().min(1, 'expected the userName'),
  // ISO 4217 codes are three letters, but crypto tickers (USDT, SHIB) are longer.
  currency: z.string().regex(/^[A-Z0-9]{3,10}$/, 'expected a currency code of 3 to 10 upper-case letters or digits (e.g. "USD", "USDT")'),
  userId,
  asset: assetId,
});

/** An INDX portfolio instrument mirroring one asset of the account's user. */
export const indxVenueInstrumentSchema = z.strictObject({
  id: z.number().int().nonnegative(),
  name: z.string().min(1),
  asset: assetId,
});

/** An INDX trader account: its `wmz` balance mirrors one asset of the user, each instrument another. */
export const indxVenueAccountSchema = z.strictObject({
  wmid: z.string().regex(/^\d{12}$/, 'expected a WMID of 12 digits'),
  userId,
  wmz: assetId,
  instruments: z.array(indxVenueInstrumentSchema).default([]),
});

/**
 * The venue-account mapping file (`config/venue-accounts.sample.json`, documented in
 * `docs/venue-accounts.md`): which internal user × asset each venue account mirrors. Besides
 * each field's shape it refuses an account listed twice and a user × asset mirrored twice within
 * a venue, since either would count one balance twice.
 */
export const venueAccountsSchema = z
  .strictObject({
    multimarkets: z.array(multiMarketsVenueAccountSchema).default([]),
    indx: z.array(indxVenueAccountSchema).default([]),
  })
  .superRefine((mapping, ctx) => {
    const duplicates = (what: string) => {
      const seen = new Map<string, string>();
      return (key: string, path: (string | number)[]) => {
        const first = seen.get(key);
        if (first === undefined) seen.set(key, formatPath(path));
        else ctx.addIssue({ code: 'custom', path, message: `${what} already listed at ${first}` });
      };
    };
    const mmAccount = duplicates('this MultiMarkets account is');
    const mmPosition = duplicates('this user × asset is mirrored by MultiMarkets');
    mapping.multimarkets.forEach((account, index) => {
      mmAccount(`${account.thirdServerCode}|${account.userName}|${account.currency}`, ['multimarkets', index]);
      mmPosition(`${account.userId}|${account.asset}`, ['multimarkets', index, 'asset']);
    });
    const indxAccount = duplicates('this WMID is');
    const indxPosition = duplicates('this user × asset is mirrored by INDX');
    mapping.indx.forEach((account, index) => {
      indxAccount(account.wmid, ['indx', index, 'wmid']);
      indxPosition(`${account.userId}|${account.wmz}`, ['indx', index, 'wmz']);
      const instrumentIds = duplicates('this instrument id is');
      account.instruments.forEach((instrument, at) => {
        instrumentIds(String(instrument.id), ['indx', index, 'instruments', at, 'id']);
        indxPosition(`${account.userId}|${instrument.asset}`, ['indx', index, 'instruments', at, 'asset']);
      });
    });
  });

/** A validated venue-account mapping. */
export type VenueAccounts = z.infer<typeof venueAccountsSchema>;
/** One mapped MultiMarkets account. */
export type MultiMarketsVenueAccount = z.infer<typeof multiMarketsVenueAccountSchema>;
/** One mapped INDX account. */
export type IndxVenueAccount = z.infer<typeof indxVenueAccountSchema>;

/**
 * Validates a parsed mapping file. Every problem names `source` (the file) and its JSON path:
 * `config/venue-accounts.json: indx[2].wmid: expected a WMID of 12 digits`.
 *
 * @throws {ConfigError} listing every problem found.
 */
export function parseVenueAccounts(json: unknown, source: string): VenueAccounts {
  const result = venueAccountsSchema.safeParse(json);
  if (result.success) return result.data;
  const problems = result.error.issues.map(
    (issue) => `${source}: ${issue.path.length === 0 ? '(root)' : formatPath(issue.path)}: ${issue.message}`,
  );
  throw new ConfigError(problems, { cause: result.error });
}

/**
 * Reads and validates the mapping file at `path`, at cold start.
 *
 * @throws {ConfigError} naming the path when the file is missing, unreadable, not JSON or not a valid mapping.
 */
export function loadVenueAccounts(path: string): VenueAccounts {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (cause) {
    const code = cause instanceof Error && 'code' in cause ? String(cause.code) : 'unknown error';
    const problem = code === 'ENOENT' ? 'venue-account mapping file not found' : `cannot read the venue-account mapping (${code})`;
    throw new ConfigError([`${path}: ${problem}`], { cause });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    throw new ConfigError([`${path}: not JSON (${cause instanceof Error ? cause.message : 'parse error'})`], { cause });
  }
  return parseVenueAccounts(json, path);
}
