import type { Amount } from '../../domain/money';
import type { Secret } from '../../secret';
import { parseAnswer } from '../answer-schema';
import type { DriftLog } from '../drift';
import type { JsonClient } from '../http/json-client';
import { knownFieldsOf } from '../known-fields';
import { type Page, readAllPages } from '../paging';
import { type BackOfficeUser, backOfficeAvailableSchema, backOfficeBalancesPageSchema } from './schemas';

/** Every level of the `POST /balances` answer: envelope, `paging`, `data[]` (users and not-found entries), `data[].balances[]`. */
const BALANCES_FIELDS = knownFieldsOf(backOfficeBalancesPageSchema);
/** The rows of the `GET …/balance/` answer. */
const AVAILABLE_FIELDS = knownFieldsOf(backOfficeAvailableSchema);

/** What the back office says about one requested user: their balances, or that it does not know them. */
export type BackOfficeUserResult =
  | { userId: string; found: true; user: BackOfficeUser }
  | { userId: string; found: false; message: string };

/**
 * The Back office API adapter (`/back-api/backoffice`): bearer-authenticated balance reads.
 * A per-user "not found" entry is a typed result, not an exception.
 */
export class BackOfficeClient {
  constructor(
    private readonly http: JsonClient,
    private readonly token: Secret,
    private readonly pageSize: number,
    private readonly drift?: DriftLog,
  ) {}

  /**
   * `POST /balances` for a batch of users and assets, every page read at the server's page size.
   * Users the answer leaves out are asked for again, until an answer tells nothing more of them: a
   * server that answers only part of a long `userIds` list is read whole, while a user it never
   * answers for (the document's own example leaves one out) stays absent. `asset` is sent as an array when
   * `assets` is given; left out, every asset is listed and the back office states each user's
   * `totalFundsInRootAsset` ("displayed only when … no filters by user assets were applied").
   */
  async balances(userIds: string[], assets?: string[]): Promise<BackOfficeUserResult[]> {
    const results: BackOfficeUserResult[] = [];
    let missing = userIds;
    while (missing.length > 0) {
      const answered = await this.balancesOnce(missing, assets);
      results.push(...answered);
      const seen = new Set(answered.map((result) => result.userId));
      const left = missing.filter((userId) => !seen.has(userId));
      if (left.length === missing.length) break;
      missing = left;
    }
    return results;
  }

  /** One paged `POST /balances` read of these users. */
  private balancesOnce(userIds: string[], assets?: string[]): Promise<BackOfficeUserResult[]> {
    const endpoint = 'balances';
    const fetchPage = async (page: number): Promise<Page<BackOfficeUserResult>> => {
      const body = await this.http.request({
        endpoint,
        method: 'POST',
        path: '/back-api/backoffice/balances',
        headers: { authorization: `Bearer ${this.token.reveal()}` },
        body: { ...(assets && { asset: assets }), userIds, paging: { page, per_page: this.pageSize } },
      });
      this.drift?.inspectAnswer('backoffice', endpoint, body, BALANCES_FIELDS);
      const answer = parseAnswer(backOfficeBalancesPageSchema, body, 'backoffice', endpoint);
      return {
        paging: answer.paging,
        data: answer.data.map((entry) =>
          'error' in entry
            ? { userId: entry.userId, found: false as const, message: entry.error }
            : { userId: entry.userId, found: true as const, user: entry },
        ),
      };
    };
    return readAllPages(fetchPage, (result) => result.userId, { source: 'backoffice', endpoint });
  }

  /** `GET /user/{userId}/balance/`: the available amount per asset, its JSON numbers read exactly. */
  async available(userId: string): Promise<Map<string, Amount>> {
    const endpoint = 'user/balance';
    const body = await this.http.request({
      endpoint,
      method: 'GET',
      path: `/back-api/backoffice/user/${encodeURIComponent(userId)}/balance/`,
      headers: { authorization: `Bearer ${this.token.reveal()}` },
      exactNumbers: true,
    });
    this.drift?.inspectAnswer('backoffice', endpoint, body, AVAILABLE_FIELDS);
    const rows = parseAnswer(backOfficeAvailableSchema, body, 'backoffice', endpoint);
    return new Map(rows.map((row) => [row.asset, row.balance]));
  }
}
