import type { Amount } from '../../domain/money';
import type { Secret } from '../../secret';
import { parseAnswer } from '../answer-schema';
import type { DriftLog } from '../drift';
import type { JsonClient } from '../http/json-client';
import { type Page, readAllPages } from '../paging';
import {
  type BackOfficeUser,
  backOfficeAvailableSchema,
  backOfficeBalanceSchema,
  backOfficeBalancesPageSchema,
  backOfficeUserSchema,
} from './schemas';

const USER_FIELDS: ReadonlySet<string> = new Set([...Object.keys(backOfficeUserSchema.shape), 'error']);
const BALANCE_FIELDS: ReadonlySet<string> = new Set(Object.keys(backOfficeBalanceSchema.shape));
const AVAILABLE_FIELDS: ReadonlySet<string> = new Set(['asset', 'balance']);

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
   * `POST /balances` for a batch of users, every page read. `asset` is sent as an array when
   * `assets` is given; left out, every asset is listed and the back office states each user's
   * `totalFundsInRootAsset` ("displayed only when … no filters by user assets were applied").
   */
  async balances(userIds: string[], assets?: string[]): Promise<BackOfficeUserResult[]> {
    const endpoint = 'balances';
    const fetchPage = async (page: number): Promise<Page<BackOfficeUserResult>> => {
      const body = await this.http.request({
        endpoint,
        method: 'POST',
        path: '/back-api/backoffice/balances',
        headers: { authorization: `Bearer ${this.token.reveal()}` },
        body: { ...(assets && { asset: assets }), userIds, paging: { page, per_page: this.pageSize } },
      });
      const answer = parseAnswer(backOfficeBalancesPageSchema, body, 'backoffice', endpoint);
      this.noteDrift(endpoint, body);
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
    const rows = parseAnswer(backOfficeAvailableSchema, body, 'backoffice', endpoint);
    if (Array.isArray(body)) this.drift?.inspect('backoffice', endpoint, body, AVAILABLE_FIELDS);
    return new Map(rows.map((row) => [row.asset, row.balance]));
  }

  /** Counts unknown fields of user entries and of their balance rows. */
  private noteDrift(endpoint: string, body: unknown): void {
    if (!this.drift) return;
    const entries = (body as { data?: unknown }).data;
    if (!Array.isArray(entries)) return;
    this.drift.inspect('backoffice', endpoint, entries, USER_FIELDS);
    const balances = entries.flatMap((entry) => (Array.isArray(entry?.balances) ? entry.balances : []));
    this.drift.inspect('backoffice', `${endpoint} balances[]`, balances, BALANCE_FIELDS);
  }
}
