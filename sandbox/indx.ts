import { createHash } from 'node:crypto';
import type { Book, IndxAccount } from './book-types';
import { SANDBOX_INDX_LOGIN, SANDBOX_INDX_PASSWORD } from './credentials';
import { divRoundHalfUp, formatUnits, parseDecimal, pow10 } from './decimal';
import { json, parseBody, type SandboxRequest, type SandboxResponse } from './http-kit';
import { isJsonObject, JsonNumber, type JsonValue } from './json-text';

/** INDX execution codes and their descriptions as the document lists them. */
export const INDX_CODES: Readonly<Record<number, string>> = {
  0: 'request successfully completed',
  [-1]: 'service stopped',
  [-2]: 'access denied',
  [-3]: "wrong Trader's WMID",
  [-4]: 'incorrect request signature',
  [-5]: 'incorrect date',
  [-6]: 'nonexistent instrument ID',
  [-7]: 'web-service call resulted in an error',
  [-8]: 'internal error',
  [-9]: 'unknown error',
  [-10]: 'unknown error',
};

/** Cultures the INDX document allows. */
export const INDX_CULTURES: readonly string[] = ['ru-RU', 'en-EN'];

/** The INDX request signature: Base64(SHA256(`Login;Password;Culture;Wmid`)). */
export function indxSignature(login: string, password: string, culture: string, wmid: string): string {
  return createHash('sha256').update(`${login};${password};${culture};${wmid}`, 'utf8').digest('base64');
}

/** Value of `notes` at `price`, rounded half-up to cents (units at 2 decimals). */
function centsOf(notes: bigint, scale: number, price: string): bigint {
  const p = parseDecimal(price);
  return divRoundHalfUp(notes * p.units * 100n, pow10(scale + p.scale));
}

function balanceValue(account: IndxAccount): JsonValue {
  let portfolioCents = 0n;
  const profit: JsonValue[] = [];
  const portfolio = account.portfolio.map((i) => {
    const cents = centsOf(i.notes, i.scale, i.price);
    portfolioCents += cents;
    profit.push({ symbolid: i.id, buy: new JsonNumber(formatUnits(cents, 2)), sell: new JsonNumber('0') });
    return {
      id: i.id,
      name: i.name,
      notes: new JsonNumber(formatUnits(i.notes, i.scale)),
      price: new JsonNumber(formatUnits(parseDecimal(i.price).units, parseDecimal(i.price).scale)),
      type: i.type,
      kind: i.kind,
      by: i.by,
    };
  });
  return {
    wmid: account.wmid,
    nickname: account.nickname,
    balance: { price: new JsonNumber(formatUnits(portfolioCents, 2)), wmz: new JsonNumber(formatUnits(account.wmz, 2)) },
    portfolio,
    profit,
  };
}

/**
 * Whether `login`/`password` may read `account`: a trader with its own credentials only with those
 * (the document: they are "obtained by the Trader on the API access page"), any other WMID —
 * a trader without its own, or one the book does not know (then −3) — with the shared ones.
 */
function signsFor(account: IndxAccount | undefined, login: string, password: string): boolean {
  const own = account?.credentials;
  if (own) return login === own.login && password === own.password;
  return login === SANDBOX_INDX_LOGIN && password === SANDBOX_INDX_PASSWORD;
}

/** Answers INDX `POST /api/v2/trade/Balance` (`{"ApiContext": {Login, Password, Wmid, Culture, Signature}}`). */
export function createIndxHandler(book: Book): (req: SandboxRequest) => SandboxResponse {
  const answer = (code: number, value: JsonValue = null, status = 200) =>
    json(status, { code, desc: code === 0 ? 'Success' : (INDX_CODES[code] ?? 'unknown error'), value });
  return (req) => {
    const parsed = parseBody(req.body);
    if (!parsed.ok) return answer(-7, null, 400);
    const ctx = isJsonObject(parsed.value) ? parsed.value.ApiContext : undefined;
    if (!isJsonObject(ctx)) return answer(-7);
    const { Login, Password, Wmid, Culture, Signature } = ctx;
    if (
      typeof Login !== 'string' ||
      typeof Password !== 'string' ||
      typeof Wmid !== 'string' ||
      typeof Culture !== 'string' ||
      typeof Signature !== 'string'
    ) {
      return answer(-7);
    }
    if (Signature !== indxSignature(Login, Password, Culture, Wmid)) return answer(-4);
    const account = book.index.indxByWmid.get(Wmid);
    if (!signsFor(account, Login, Password)) return answer(-2);
    if (!INDX_CULTURES.includes(Culture)) return answer(-7);
    if (!account) return answer(-3);
    return answer(0, balanceValue(account));
  };
}
