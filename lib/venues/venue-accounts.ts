import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { ConfigError } from '../errors';
import { formatPath } from '../zod-issues';
import { type CredentialRef, credentialRefSchema } from './credential-ref';

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

/** The languages INDX answers in (the document: "ru-RU, en-EN"); the culture is part of the signature. */
export const INDX_CULTURES = ['ru-RU', 'en-EN'] as const;

/**
 * An INDX trader account: its `wmz` balance mirrors one asset of the user, each instrument another.
 * Login and password are the trader's own (the document: "obtained by the Trader on the API access
 * page"), so each trader may name where its own come from — by reference, never the value; a
 * trader without them uses `INDX_LOGIN`/`INDX_PASSWORD`. `culture` is signed with them.
 */
export const indxVenueAccountSchema = (stage: string) =>
  z
    .strictObject({
      wmid: z.string().regex(/^\d{12}$/, 'expected a WMID of 12 digits'),
      userId,
      wmz: assetId,
      login: credentialRefSchema(stage).optional(),
      password: credentialRefSchema(stage).optional(),
      culture: z.enum(INDX_CULTURES, { error: 'expected "ru-RU" or "en-EN" (the cultures the INDX document allows)' }).default('en-EN'),
      instruments: z.array(indxVenueInstrumentSchema).default([]),
    })
    .superRefine((account, ctx) => {
      if ((account.login === undefined) === (account.password === undefined)) return;
      const missing = account.login === undefined ? 'login' : 'password';
      ctx.addIssue({
        code: 'custom',
        path: [missing],
        message: 'expected login and password together (or neither, for INDX_LOGIN/INDX_PASSWORD)',
      });
    });

/**
 * The venue-account mapping file (`config/venue-accounts.sample.json`, documented in
 * `docs/venue-accounts.md`): which internal user × asset each venue account mirrors. Besides
 * each field's shape it refuses an account listed twice and a user × asset mirrored twice within
 * a venue, since either would count one balance twice.
 */
export const venueAccountsSchema = (stage: string) =>
  z
    .strictObject({
      multimarkets: z.array(multiMarketsVenueAccountSchema).default([]),
      indx: z.array(indxVenueAccountSchema(stage)).default([]),
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
export type VenueAccounts = z.infer<ReturnType<typeof venueAccountsSchema>>;
/** One mapped MultiMarkets account. */
export type MultiMarketsVenueAccount = z.infer<typeof multiMarketsVenueAccountSchema>;
/** One mapped INDX account. */
export type IndxVenueAccount = z.infer<ReturnType<typeof indxVenueAccountSchema>>;
export type { CredentialRef };

/** Where the mapping is read: the deployment stage, whose SSM path `/balance-recon/<stage>/` the functions may read. */
export interface VenueAccountsOptions {
  /** Default `local`. */
  stage?: string;
}

/**
 * Validates a parsed mapping file. Every problem names `source` (the file) and its JSON path, and
 * for an INDX trader its WMID: `config/venue-accounts.json: indx[2] (WMID 936967146346).login: …`.
 * No problem ever repeats a value (a password pasted inline is named, not shown).
 *
 * @throws {ConfigError} listing every problem found.
 */
export function parseVenueAccounts(json: unknown, source: string, options: VenueAccountsOptions = {}): VenueAccounts {
  const result = venueAccountsSchema(options.stage ?? 'local').safeParse(json);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => `${source}: ${describePath(json, issue.path)}: ${issue.message}`);
  throw new ConfigError(problems, { cause: redactedIssues(result.error) });
}

/** The issue's JSON path, naming the WMID of the INDX trader it is in (a WMID is an account id, not a secret). */
function describePath(json: unknown, path: readonly PropertyKey[]): string {
  if (path.length === 0) return '(root)';
  const index = path[1];
  const wmid = path[0] === 'indx' && typeof index === 'number' ? wmidAt(json, index) : undefined;
  if (wmid === undefined) return formatPath(path);
  const rest = path.slice(2);
  return `${formatPath(path.slice(0, 2))} (WMID ${wmid})${rest.length > 0 ? formatPath(['', ...rest]) : ''}`;
}

function wmidAt(json: unknown, index: number): string | undefined {
  const accounts = typeof json === 'object' && json !== null && 'indx' in json ? json.indx : undefined;
  const account: unknown = Array.isArray(accounts) ? accounts[index] : undefined;
  const wmid = typeof account === 'object' && account !== null && 'wmid' in account ? account.wmid : undefined;
  return typeof wmid === 'string' && /^\d{12}$/.test(wmid) ? wmid : undefined;
}

/** The zod error as a cause, without the input zod keeps on some issues (an inline secret would travel with it). */
function redactedIssues(error: z.ZodError): Error {
  return new Error(error.issues.map((issue) => `${formatPath(issue.path)}: ${issue.code}`).join('; '));
}

/**
 * Reads and validates the mapping file at `path`, at cold start.
 *
 * @throws {ConfigError} naming the path when the file is missing, unreadable, not JSON or not a valid mapping.
 */
export function loadVenueAccounts(path: string, options: VenueAccountsOptions = {}): VenueAccounts {
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
  return parseVenueAccounts(json, path, options);
}

/** Whether the mapping names the trader's own credentials (otherwise it uses the shared ones, and the probe speaks for it). */
export function hasOwnCredentials(account: Pick<IndxVenueAccount, 'login' | 'password'>): boolean {
  return account.login !== undefined && account.password !== undefined;
}
