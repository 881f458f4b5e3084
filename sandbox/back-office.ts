import { ASSETS, ROOT_ASSET } from './assets';
import type { Book, Position } from './book-types';
import { SANDBOX_BACKOFFICE_TOKEN } from './credentials';
import { formatFixed, formatUnits, RAT_SCALE, toRootAsset } from './decimal';
import { bearerToken, json, jsonError, parseBody, type SandboxRequest, type SandboxResponse } from './http-kit';
import { integerOf, isJsonObject, JsonNumber, type JsonValue } from './json-text';
import { DEFAULT_PAGE_CAP } from './reporting-engine';
import { rateOf } from './views';

const notFound = (userId: string): string => `User with id:${userId} not found.`;

/** The back office's two balance endpoints over a book's back-office view. */
export interface BackOfficeHandlers {
  /** `GET /back-api/backoffice/user/{userId}/balance/`: available per asset as exact JSON number literals. */
  userBalance(req: SandboxRequest, userId: string): SandboxResponse;
  /** `POST /back-api/backoffice/balances`: amount/locked per user and asset, paged over the requested userIds. */
  balances(req: SandboxRequest): SandboxResponse;
}

/**
 * Builds the back-office handlers (bearer token required on both). `POST /balances` answers at most `pageCap`
 * users a page (its `per_page` defaults to the number of requested userIds, within 1..`pageCap`).
 */
export function createBackOfficeHandlers(book: Book, pageCap = DEFAULT_PAGE_CAP): BackOfficeHandlers {
  const unauthorized = (req: SandboxRequest) => bearerToken(req) !== SANDBOX_BACKOFFICE_TOKEN;
  /** Users of the book the back office knows (a presence plant may hide one). */
  const knows = (userId: string) => book.index.usersById.has(userId) && !book.overrides.unknownToBackOffice.has(userId);
  /** A user's positions as the back office lists them (a presence plant may hide one). */
  const listed = (userId: string) => (book.index.positionsByUser.get(userId) ?? []).filter((p) => p.inBackOffice);
  return {
    userBalance(req, userId) {
      if (unauthorized(req)) return jsonError(401, 'Unauthorized: missing or invalid bearer token');
      if (!knows(userId)) return jsonError(404, notFound(userId));
      return json(
        200,
        listed(userId).map((p) => ({ asset: p.asset, balance: new JsonNumber(formatUnits(p.backOffice.available, p.scale)) })),
      );
    },

    balances(req) {
      if (unauthorized(req)) return jsonError(401, 'Unauthorized: missing or invalid bearer token');
      const parsed = parseBody(req.body);
      if (!parsed.ok) return jsonError(400, parsed.message);
      const body = parsed.value;
      if (!isJsonObject(body)) return jsonError(400, 'Request body must be a JSON object');
      if (!Array.isArray(body.userIds) || !body.userIds.every((id) => typeof id === 'string')) {
        return jsonError(400, 'userIds must be an array of strings');
      }
      const userIds = body.userIds as string[];
      let assets: Set<string> | undefined;
      // "no filters by user assets were applied in the request": any `asset`, even one naming every asset, is a filter
      const filtered = body.asset !== undefined && body.asset !== null;
      if (filtered) {
        const list = typeof body.asset === 'string' ? [body.asset] : body.asset;
        if (!Array.isArray(list) || !list.every((a) => typeof a === 'string'))
          return jsonError(400, 'asset must be a string or an array of strings');
        assets = new Set(list as string[]);
        // a list naming every asset narrows nothing
        if (ASSETS.every((a) => assets?.has(a.id))) assets = undefined;
      }

      let page = 1;
      let perPage = Math.max(1, userIds.length);
      if (body.paging !== undefined && body.paging !== null) {
        if (!isJsonObject(body.paging)) return jsonError(400, 'paging must be an object with page and per_page');
        const p = integerOf(body.paging.page);
        const pp = integerOf(body.paging.per_page ?? body.paging.perPage);
        if (p !== undefined) page = Math.max(1, p);
        if (pp !== undefined) perPage = Math.max(1, pp);
      }
      perPage = Math.min(perPage, pageCap);

      const start = (page - 1) * perPage;
      const data = userIds.slice(start, start + perPage).map((userId): JsonValue => {
        const user = book.index.usersById.get(userId);
        if (!user || !knows(userId)) return { userId, error: notFound(userId) };
        const positions = listed(userId).filter((p) => !assets || assets.has(p.asset));
        const withRoot = positions.map((p) => ({ p, funds: toRootAsset(p.backOffice.amount, p.scale, rateOf(p.asset)) }));
        // a planted total is off by its override
        const total = withRoot.reduce((sum, x) => sum + x.funds, book.overrides.totalFundsInRootAsset.get(userId) ?? 0n);
        const balances = withRoot.map(({ p, funds }) => balanceEntry(p, funds));
        // "displayed only when the fundsInRootAsset value is listed for each asset and no filters by user assets were applied"
        const stated = !filtered && balances.every((entry) => entry.fundsInRootAsset !== undefined);
        return {
          userName: user.username,
          userId,
          userEmail: user.email,
          userRoles: user.roles,
          balances,
          totalFundsInRootAsset: stated ? formatFixed(total, RAT_SCALE) : undefined,
          rootAsset: ROOT_ASSET,
        };
      });
      return json(200, {
        filters: { userIds },
        paging: { page, per_page: perPage, total: userIds.length },
        data,
      });
    },
  };
}

/** One balance row of `POST /balances`; every sandbox asset has a rate, so each lists its fundsInRootAsset. */
function balanceEntry(p: Position, funds: bigint): { [field: string]: JsonValue } {
  return {
    asset: p.asset,
    amount: formatUnits(p.backOffice.amount, p.scale),
    locked: formatUnits(p.backOffice.locked, p.scale),
    fundsInRootAsset: formatFixed(funds, RAT_SCALE),
  };
}
