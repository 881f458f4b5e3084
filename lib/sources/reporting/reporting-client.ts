import type { z } from 'zod';
import type { Secret } from '../../secret';
import { parseAnswer } from '../answer-schema';
import type { JsonClient } from '../http/json-client';
import { type Page, type PagingNotes, readPages } from '../paging';
import { exact, type ReportFilter, type ReportSort } from './filters';
import {
  type AssetRow,
  assetRowSchema,
  reportPageSchema,
  type UserBalanceRow,
  type UserRow,
  userBalanceRowSchema,
  userRowSchema,
} from './schemas';

/** The eleven report endpoints under `/back-api/reporting/reports/data/`. */
export type ReportEndpoint =
  | 'assets-and-balances'
  | 'users'
  | 'users/balances'
  | 'users/logins'
  | 'commissions'
  | 'commissions/assets'
  | 'commissions/users'
  | 'orders'
  | 'orders/opened'
  | 'orders/transactions'
  | 'transfers';

/**
 * The Reporting API adapter: one paged `POST` per report, bearer-authenticated, every answer
 * validated, every page read.
 */
export class ReportingClient {
  constructor(
    private readonly http: JsonClient,
    private readonly token: Secret,
    private readonly pageSize: number,
  ) {}

  /** Streams a report's rows page by page, parsed with `row`. */
  async *query<R extends z.ZodType>(
    endpoint: ReportEndpoint,
    row: R,
    request: { filters?: ReportFilter[]; sort?: ReportSort } = {},
    notes?: PagingNotes,
  ): AsyncGenerator<z.infer<R>[]> {
    const pageSchema = reportPageSchema(row);
    const fetchPage = async (page: number): Promise<Page<z.infer<R>>> => {
      const body = await this.http.request({
        endpoint,
        method: 'POST',
        path: `/back-api/reporting/reports/data/${endpoint}`,
        headers: { authorization: `Bearer ${this.token.reveal()}` },
        body: { filters: request.filters ?? [], ...(request.sort && { sort: request.sort }), paging: { page, per_page: this.pageSize } },
      });
      return parseAnswer(pageSchema, body, 'reporting', endpoint) as Page<z.infer<R>>;
    };
    yield* readPages(fetchPage, notes);
  }

  /** Every asset with its scale and totals (`assets-and-balances`). */
  async assets(): Promise<AssetRow[]> {
    const rows: AssetRow[] = [];
    for await (const page of this.query('assets-and-balances', assetRowSchema)) rows.push(...page);
    return rows;
  }

  /** Every user, page by page, in a stable order (`users`, sorted by creation). */
  users(notes?: PagingNotes): AsyncGenerator<UserRow[]> {
    return this.query('users', userRowSchema, { sort: { field: 'CreatedAt', direction: 'Asc' } }, notes);
  }

  /** One user's balance in each asset (`users/balances` filtered by `UserId`). */
  async userBalances(userId: string): Promise<UserBalanceRow[]> {
    const rows: UserBalanceRow[] = [];
    for await (const page of this.query('users/balances', userBalanceRowSchema, { filters: [exact('UserId', [userId])] })) {
      rows.push(...page);
    }
    return rows;
  }
}
