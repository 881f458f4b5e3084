import { z } from 'zod';
import type { Secret } from '../../secret';
import { parseAnswer } from '../answer-schema';
import type { DriftLog } from '../drift';
import type { JsonClient } from '../http/json-client';
import { type KnownLevel, knownFieldsOf } from '../known-fields';
import { type Page, type PagingNotes, readAllPages, readPages } from '../paging';
import { dateRange, exact, type ReportFilter, type ReportSort } from './filters';
import {
  type AssetRow,
  REPORTS,
  type Report,
  type ReportEndpoint,
  type ReportRow,
  reportPageSchema,
  type UserBalanceRow,
  type UserRow,
} from './schemas';

/** The user listing's order: by creation, the key a reader pages on by. */
const USERS_IN_CREATION_ORDER: ReportSort = { field: 'CreatedAt', direction: 'Asc' };

/** Filters and sort of one report query. */
export interface ReportQuery {
  filters?: ReportFilter[];
  sort?: ReportSort;
}

/**
 * The Reporting API adapter: one client for all eleven report endpoints. Every page is a
 * bearer-authenticated `POST` with `{filters, sort, paging}`; every row is validated against its
 * report's schema; unknown fields are counted as drift; rows served twice across pages are
 * noticed (`readPages`/`readAllPages`).
 */
export class ReportingClient {
  constructor(
    private readonly http: JsonClient,
    private readonly token: Secret,
    private readonly pageSize: number,
    private readonly drift?: DriftLog,
  ) {}

  /** Streams a report's rows page by page as they arrive, skipping rows that repeat the previous page. */
  stream<E extends ReportEndpoint>(endpoint: E, query: ReportQuery = {}, notes?: PagingNotes): AsyncGenerator<ReportRow<E>[]> {
    return readPages((page) => this.page(endpoint, query, page), notes, REPORTS[endpoint].key);
  }

  /** Reads a whole report, consistently (re-read once if it moved during the read). */
  readAll<E extends ReportEndpoint>(endpoint: E, query: ReportQuery = {}): Promise<ReportRow<E>[]> {
    return readAllPages((page) => this.page(endpoint, query, page), REPORTS[endpoint].key, {
      source: 'reporting',
      endpoint,
    });
  }

  /** Every asset with its scale and totals (`assets-and-balances`). */
  assets(): Promise<AssetRow[]> {
    return this.readAll('assets-and-balances');
  }

  /**
   * One page of the users created in `created` (a `DateRange` on `CreatedAt`, either end open), sorted by
   * creation so a reader can page on from the last instant read; that query's total and the page size the
   * server answered (whatever `perPage` asked).
   */
  async usersPage(
    created: { from?: string; to?: string },
    page: number,
    perPage: number,
  ): Promise<{ rows: UserRow[]; total: number; pageSize: number }> {
    const filters = created.from || created.to ? [dateRange('CreatedAt', created.from, created.to)] : [];
    const answer = await this.page('users', { filters, sort: USERS_IN_CREATION_ORDER }, page, perPage);
    return { rows: answer.data, total: answer.paging.total, pageSize: answer.paging.perPage };
  }

  /** One user's balance in each asset (`users/balances` filtered by `UserId`). */
  userBalances(userId: string): Promise<UserBalanceRow[]> {
    return this.readAll('users/balances', { filters: [exact('UserId', [userId])] });
  }

  private async page<E extends ReportEndpoint>(
    endpoint: E,
    query: ReportQuery,
    page: number,
    perPage = this.pageSize,
  ): Promise<Page<ReportRow<E>>> {
    const body = await this.http.request({
      endpoint,
      method: 'POST',
      path: `/back-api/reporting/reports/data/${endpoint}`,
      headers: { authorization: `Bearer ${this.token.reveal()}` },
      body: { filters: query.filters ?? [], ...(query.sort && { sort: query.sort }), paging: { page, per_page: perPage } },
    });
    const report: Report<ReportRow<E>> = REPORTS[endpoint];
    this.drift?.inspectAnswer('reporting', endpoint, body, reportFields(report.row));
    const envelope = parseAnswer(reportPageSchema, body, 'reporting', endpoint);
    const { data } = parseAnswer(report.rows, { data: envelope.data }, 'reporting', endpoint);
    return { paging: envelope.paging, data };
  }
}

const knownFieldCache = new WeakMap<z.ZodObject, KnownLevel>();
/** The fields a report's answer may carry: the envelope's, `paging`'s and its row schema's (built once per report). */
function reportFields(row: z.ZodObject): KnownLevel {
  let known = knownFieldCache.get(row);
  if (!known) {
    known = knownFieldsOf(reportPageSchema.extend({ data: z.array(row) }));
    knownFieldCache.set(row, known);
  }
  return known;
}
