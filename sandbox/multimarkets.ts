import type { Book } from './book-types';
import { SANDBOX_MULTIMARKETS_COMPANY_ID } from './credentials';
import { formatFixed } from './decimal';
import { headerValue, json, parseBody, type SandboxRequest, type SandboxResponse } from './http-kit';
import { isJsonObject, type JsonValue } from './json-text';
import type { RollingWindowLimiter } from './rate-limiter';
import type { SandboxStats } from './stats';

/** Envelope codes the sandbox MultiMarkets answers with (the document leaves them open). */
export const MULTIMARKETS_CODES = {
  success: '0',
  malformedJson: '10000',
  missingTrace: '10001',
  badTimestamp: '10002',
  badCompanyId: '10003',
  badParameter: '10004',
  accountNotFound: '20001',
  tooManyRequests: '429',
  ipBanned: '418',
} as const;

/** Dependencies of the MultiMarkets handler. */
export interface MultiMarketsDeps {
  book: Book;
  limiter: RollingWindowLimiter;
  stats: SandboxStats;
  now: () => number;
}

/** Message of the 429 answer (the limiter's own and the injected `rate-limit` fault's). */
export const MULTIMARKETS_TOO_MANY_REQUESTS = 'Too many requests: 100 per 60 s per companyId';

/** The rate limiter's key of a MultiMarkets request: its companyId header ('' when missing). */
export function multimarketsLimitKey(req: SandboxRequest): string {
  return headerValue(req, 'companyid') ?? '';
}

/** The MultiMarkets envelope around `data`, echoing the request's trace header. */
export function multimarketsEnvelope(req: SandboxRequest, tm: number, code: string, msg: string, data: JsonValue, ok: boolean): JsonValue {
  return { msg, code, bizCode: code, trace: headerValue(req, 'trace') ?? '', msgParams: '', tm, data, ok, fail: !ok };
}

/** A MultiMarkets failure answer (`ok:false`, `data:null`) with the given HTTP status. */
export function multimarketsFailure(
  req: SandboxRequest,
  tm: number,
  code: string,
  msg: string,
  status = 200,
  headers?: Record<string, string>,
): SandboxResponse {
  return json(status, multimarketsEnvelope(req, tm, code, msg, null, false), headers);
}

/** Answers `POST /api/cats-gateway/get-user-amount` with the MultiMarkets envelope, rate limited per companyId. */
export function createMultiMarketsHandler(deps: MultiMarketsDeps): (req: SandboxRequest) => SandboxResponse {
  const { book, limiter, stats, now } = deps;
  return (req) => {
    const trace = headerValue(req, 'trace');
    const envelope = (code: string, msg: string, data: JsonValue, ok: boolean): JsonValue =>
      multimarketsEnvelope(req, now(), code, msg, data, ok);
    const fail = (code: string, msg: string, status = 200, headers?: Record<string, string>) =>
      multimarketsFailure(req, now(), code, msg, status, headers);

    const companyId = headerValue(req, 'companyid');
    const decision = limiter.check(multimarketsLimitKey(req), req.remoteAddress);
    if (decision.kind === 'ban') {
      stats.banned++;
      return fail(MULTIMARKETS_CODES.ipBanned, 'IP banned: requests sent while rate limited', 418, {
        'retry-after': String(decision.retryAfterSeconds),
      });
    }
    if (decision.kind === 'throttle') {
      stats.tooManyRequests++;
      return fail(MULTIMARKETS_CODES.tooManyRequests, MULTIMARKETS_TOO_MANY_REQUESTS, 429, {
        'retry-after': String(decision.retryAfterSeconds),
      });
    }

    if (!trace) return fail(MULTIMARKETS_CODES.missingTrace, 'Missing header: trace');
    if (companyId !== SANDBOX_MULTIMARKETS_COMPANY_ID)
      return fail(MULTIMARKETS_CODES.badCompanyId, `Invalid companyId: ${companyId ?? '(missing)'}`);
    const timestamp = headerValue(req, 'timestamp');
    if (!timestamp || !/^\d{13}$/.test(timestamp))
      return fail(MULTIMARKETS_CODES.badTimestamp, 'Invalid timestamp: 13-digit epoch milliseconds required');

    const parsed = parseBody(req.body);
    if (!parsed.ok) return fail(MULTIMARKETS_CODES.malformedJson, parsed.message, 400);
    const body = parsed.value;
    if (!isJsonObject(body)) return fail(MULTIMARKETS_CODES.badParameter, 'Request body must be a JSON object');
    for (const name of ['thirdServerCode', 'userName', 'currency'] as const) {
      if (typeof body[name] !== 'string' || body[name] === '') return fail(MULTIMARKETS_CODES.badParameter, `Invalid parameter: ${name}`);
    }
    const { thirdServerCode, userName, currency } = body as Record<'thirdServerCode' | 'userName' | 'currency', string>;
    const account = book.index.multiMarketsByUserName.get(userName);
    if (!account || account.thirdServerCode !== thirdServerCode || account.currency !== currency.toUpperCase()) {
      return fail(MULTIMARKETS_CODES.accountNotFound, `User account not found: ${userName} ${currency}`);
    }
    return json(
      200,
      envelope(
        MULTIMARKETS_CODES.success,
        'success',
        {
          amount: formatFixed(account.amount, account.amountDigits),
          currency: account.currency,
          amount_digits: account.amountDigits,
          user_name: account.userName,
        },
        true,
      ),
    );
  };
}
