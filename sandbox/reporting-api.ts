import type { Book, BookUser } from './book-types';
import { SANDBOX_REPORTING_TOKEN } from './credentials';
import { bearerToken, json, jsonError, parseBody, type SandboxRequest, type SandboxResponse } from './http-kit';
import type { JsonValue } from './json-text';
import type { ReportContext } from './reporting-definitions';
import { DEFAULT_PAGE_CAP, ReportQueryError } from './reporting-engine';
import { REPORTS } from './reporting-reports';
import { userFigures } from './reporting-stats';

/** Path prefix of the Reporting API's report endpoints. */
export const REPORTING_PREFIX = '/back-api/reporting/reports/data/';

/** The report context of a book (per-user figures computed on first use, kept up to date as the book changes). */
function reportContext(book: Book, pageCap: number): ReportContext {
  return {
    book,
    pageCap,
    user(userId) {
      const user = book.index.usersById.get(userId);
      if (!user) throw new Error(`book row references unknown user ${userId}`);
      return user as BookUser;
    },
    figures(userId) {
      const f = userFigures(book).get(userId);
      if (!f) throw new Error(`no figures for user ${userId}`);
      return f;
    },
  };
}

/** Told the number of rows (`data` entries) of every page a report answers. */
export type RowsServedListener = (report: string, rows: number) => void;

/**
 * Answers `POST /back-api/reporting/reports/data/{report}` for the eleven reports (bearer token required), at most
 * `pageCap` rows a page; `onServed` hears how many rows each successful answer carries (the server's stats count them per report).
 */
export function createReportingHandler(
  book: Book,
  onServed?: RowsServedListener,
  pageCap = DEFAULT_PAGE_CAP,
): (req: SandboxRequest, report: string) => SandboxResponse {
  const ctx = reportContext(book, pageCap);
  return (req, report) => {
    if (bearerToken(req) !== SANDBOX_REPORTING_TOKEN) return jsonError(401, 'Unauthorized: missing or invalid bearer token');
    const definition = REPORTS.get(report);
    if (!definition) return jsonError(404, `Unknown report "${report}"`);
    const parsed = parseBody(req.body);
    if (!parsed.ok) return jsonError(400, parsed.message);
    try {
      const page = definition.run(ctx, parsed.value);
      onServed?.(report, page.data.length);
      return json(200, page as unknown as JsonValue);
    } catch (err) {
      if (err instanceof ReportQueryError) return jsonError(400, err.message);
      throw err;
    }
  };
}
