import { ASSETS, assetById } from './assets';
import { type Book, type BookUser, positionKey, type UserRole } from './book-types';
import { parseUnits } from './decimal';
import { integerOf, isJsonObject, textOf } from './json-text';
import { outsideTotalsOf } from './outside-totals';
import { isoFromMicros, parseIsoToMicros } from './time';
import { makePosition } from './views';

/** What `POST /__sandbox/users` is asked for: how many users sign up, when, with which roles and funds. */
export interface SignupOptions {
  /** 1 to 1000 */
  count: number;
  /** default: now, and never at or before the book's asOf (a run as of the book's asOf does not list them) */
  createdAt?: string;
  /** default `['Trader']` (counted in the Reporting totals) */
  roles?: UserRole[];
  /** per asset, a decimal amount each new user deposited (a Completed deposit at `createdAt`); default none */
  funds?: Record<string, string>;
}

/** Thrown for a body `POST /__sandbox/users` or `POST /__sandbox/users/delete` refuses (answered 400). */
export class SignupOptionsError extends Error {
  override readonly name = 'SignupOptionsError';
}

const ROLES: readonly UserRole[] = ['Trader', 'User', 'Market Maker', 'Bot', 'Admin'];

/** Validates `POST /__sandbox/users`'s body into options; throws `SignupOptionsError`. */
export function parseSignupOptions(body: unknown): SignupOptions {
  if (!isJsonObject(body)) throw new SignupOptionsError('Body must be a JSON object: {count, createdAt?, roles?, funds?}');
  const count = body.count === undefined ? 1 : integerOf(body.count);
  if (count === undefined || count < 1 || count > 1000) throw new SignupOptionsError('count must be an integer from 1 to 1000');
  const createdAt = body.createdAt === undefined ? undefined : textOf(body.createdAt);
  if (body.createdAt !== undefined && (createdAt === undefined || parseIsoToMicros(createdAt) === undefined))
    throw new SignupOptionsError('createdAt must be an ISO date-time');
  const roles = body.roles === undefined ? undefined : Array.isArray(body.roles) ? body.roles.map(textOf) : [undefined];
  if (roles?.some((role) => !ROLES.includes(role as UserRole))) throw new SignupOptionsError(`roles must be some of ${ROLES.join(', ')}`);
  const funds: Record<string, string> = {};
  if (body.funds !== undefined) {
    if (!isJsonObject(body.funds)) throw new SignupOptionsError('funds must be an object: {asset: "decimal amount"}');
    for (const [asset, amount] of Object.entries(body.funds)) {
      const text = textOf(amount);
      if (!ASSETS.some((a) => a.id === asset) || text === undefined)
        throw new SignupOptionsError(`funds: unknown asset or amount "${asset}"`);
      try {
        if (parseUnits(text, assetById(asset).scale) <= 0n) throw new RangeError('not positive');
      } catch {
        throw new SignupOptionsError(`funds.${asset} must be a positive decimal at the asset's scale`);
      }
      funds[asset] = text;
    }
  }
  return { count, ...(createdAt && { createdAt }), ...(roles && { roles: roles as UserRole[] }), funds };
}

/**
 * Users signing up now (or at `createdAt`), as a live exchange gains them while a run goes on: listed by
 * `users` from their creation on, each holding its `funds` in both views (counted in `assets-and-balances`
 * when a role is counted) backed by a Completed deposit per asset, unknown to no source. Not in the
 * manifest: nothing about them is a discrepancy. Caches over the book follow through `book.revision`.
 */
export function addUsers(book: Book, options: SignupOptions): { users: { userId: string; createdAt: string }[] } {
  const asOfUs = parseIsoToMicros(book.asOf) as number;
  const wanted = options.createdAt ? (parseIsoToMicros(options.createdAt) as number) : Date.now() * 1000;
  const createdAt = isoFromMicros(options.createdAt ? wanted : Math.max(wanted, asOfUs + 1_000_000));
  const added: { userId: string; createdAt: string }[] = [];
  for (let i = 0; i < options.count; i++) {
    const user = newUser(book, createdAt, options.roles ?? ['Trader']);
    book.users.push(user);
    book.index.usersById.set(user.userId, user);
    const positions = Object.entries(options.funds ?? {}).map(([asset, text]) => {
      const amount = parseUnits(text, assetById(asset).scale);
      book.transfers.push({
        id: String(++book.ids.transfer),
        userId: user.userId,
        assetId: asset,
        type: 'Deposit',
        status: 'Completed',
        amount,
        createdAt,
        externalId: '',
      });
      return makePosition(user.userId, asset, { amount, locked: 0n, available: amount });
    });
    for (const p of positions) book.index.positionByKey.set(positionKey(p.userId, p.asset), p);
    book.index.positionsByUser.set(user.userId, positions);
    book.positions.push(...positions);
    if (book.reportingPositions !== book.positions) book.reportingPositions.push(...positions);
    added.push({ userId: user.userId, createdAt });
  }
  changed(book);
  return { users: added };
}

/**
 * Users deleted from the exchange: gone from `users`, `users/balances` and the asset totals; their history
 * rows stay (and name them). A user not listed is ignored. Caches follow through `book.revision`.
 */
export function deleteUsers(book: Book, userIds: readonly string[]): { deleted: string[] } {
  const gone = new Set(userIds.filter((id) => book.users.some((user) => user.userId === id)));
  if (gone.size === 0) return { deleted: [] };
  const keep = <T extends { userId: string }>(rows: T[]) => {
    const kept = rows.filter((row) => !gone.has(row.userId));
    rows.splice(0, rows.length, ...kept);
  };
  const shared = book.reportingPositions === book.positions;
  keep(book.users);
  keep(book.positions);
  if (!shared) keep(book.reportingPositions);
  for (const id of gone) book.index.positionsByUser.set(id, []);
  changed(book);
  return { deleted: [...gone] };
}

/** Validates `POST /__sandbox/users/delete`'s body `{userIds}`; throws `SignupOptionsError`. */
export function parseDeleteBody(body: unknown): string[] {
  const ids = isJsonObject(body) && Array.isArray(body.userIds) ? body.userIds.map(textOf) : undefined;
  if (!ids || ids.some((id) => id === undefined)) throw new SignupOptionsError('Body must be {"userIds": ["…"]}');
  return ids as string[];
}

function changed(book: Book): void {
  book.manifest.outsideTotals = outsideTotalsOf(book);
  book.revision++;
}

function newUser(book: Book, createdAt: string, roles: UserRole[]): BookUser {
  let n = book.index.usersById.size + 1;
  while (book.index.usersById.has(`signup-${n}`)) n++;
  const username = `signup${String(n).padStart(5, '0')}`;
  return {
    userId: `signup-${n}`,
    username,
    email: `${username}@mailinator.com`,
    roles,
    status: 'Active',
    createdAt,
    lastSignInDate: createdAt,
    hasTradingApiKey: false,
    feeGroupId: 'standard',
  };
}
