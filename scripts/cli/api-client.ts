import type { z } from 'zod';
import {
  type DiscrepancyAnswer,
  type DiscrepancyDetail,
  type DiscrepancyPage,
  discrepancyDetailSchema,
  discrepancyPageSchema,
  discrepancyStateSchema,
  errorAnswerSchema,
  type HistoryVerificationPage,
  historyVerificationPageSchema,
  type RunPage,
  type RunState,
  runPageSchema,
  runStateSchema,
} from '../../lib/api/schemas';
import { describeIssues } from '../../lib/zod-issues';
import { ApiError, ApiUnreachableError } from './errors';
import { terminalAnswer, terminalText } from './terminal-text';

/** `POST /runs` body: the scope (each left out means everything), a dry run, an as-of. */
export interface RunRequest {
  users?: string[];
  assets?: string[];
  checks?: string[];
  sources?: string[];
  dryRun?: boolean;
  /** Rebuild the running history totals from the whole history. */
  rebuild?: boolean;
  asOf?: string;
}

/** `GET /discrepancies` query. */
export interface DiscrepancyQuery {
  status?: string;
  severity?: string;
  check?: string;
  asset?: string;
  user?: string;
  limit?: number;
  cursor?: string;
}

/** `GET /runs` query: a page size and where the last page ended. */
export interface RunListQuery {
  limit?: number;
  cursor?: string;
}

/** The action a person takes on a discrepancy, as the route names it (`approve`/`reject`: maker-checker's second person). */
export type DiscrepancyAction = 'acknowledge' | 'assign' | 'resolve' | 'approve' | 'reject';

/**
 * What the commands need of the HTTP API: one method per route. The HTTP client implements it;
 * tests pass an in-memory one.
 */
export interface ReconApi {
  /** Queues a run (202, in progress) or, from an API that still runs synchronously, runs it (200, finished). */
  startRun(request: RunRequest, options?: { timeoutMs?: number }): Promise<RunState>;
  getRun(runId: string): Promise<RunState>;
  /** A page of runs, newest first. */
  listRuns(query: RunListQuery): Promise<RunPage>;
  listDiscrepancies(query: DiscrepancyQuery): Promise<DiscrepancyPage>;
  getDiscrepancy(id: string): Promise<DiscrepancyDetail>;
  actOnDiscrepancy(action: DiscrepancyAction, id: string, note: string, assignee?: string): Promise<DiscrepancyAnswer>;
  /** `GET /history/verify`: a page of discrepancies' history chains checked. */
  verifyHistory(page: { limit?: number; cursor?: string }): Promise<HistoryVerificationPage>;
}

/** How {@link HttpReconApi} reaches the API. */
export interface HttpReconApiOptions {
  /** `http://127.0.0.1:3000`, or a deployed stage's base URL (a path such as `/prod` is kept). */
  baseUrl: string;
  /** The bearer token, asked for at each call so a locally signed one never expires during a long wait. */
  token: () => string;
  /** How long one call may take before it counts as unreachable (default 30 s). */
  timeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 30_000;

/**
 * The HTTP API over `fetch` (undici): parses every answer with its zod schema, turns error
 * answers into {@link ApiError} and missing answers into {@link ApiUnreachableError}. Never
 * follows a redirect (it would carry the token elsewhere) and never puts the token in an error.
 */
export class HttpReconApi implements ReconApi {
  private readonly baseUrl: string;

  constructor(private readonly options: HttpReconApiOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
  }

  startRun(request: RunRequest, options: { timeoutMs?: number } = {}): Promise<RunState> {
    return this.call('POST', '/runs', runStateSchema, { body: request, ...options });
  }

  getRun(runId: string): Promise<RunState> {
    return this.call('GET', `/runs/${pathSegment(runId)}`, runStateSchema);
  }

  listRuns(query: RunListQuery): Promise<RunPage> {
    return this.call('GET', '/runs', runPageSchema, { query: queryString(query) });
  }

  listDiscrepancies(query: DiscrepancyQuery): Promise<DiscrepancyPage> {
    return this.call('GET', '/discrepancies', discrepancyPageSchema, { query: queryString(query) });
  }

  getDiscrepancy(id: string): Promise<DiscrepancyDetail> {
    return this.call('GET', `/discrepancies/${pathSegment(id)}`, discrepancyDetailSchema);
  }

  actOnDiscrepancy(action: DiscrepancyAction, id: string, note: string, assignee?: string): Promise<DiscrepancyAnswer> {
    const body = { note, ...(assignee !== undefined && { assignee }) };
    return this.call('POST', `/discrepancies/${pathSegment(id)}/${action}`, discrepancyStateSchema, { body });
  }

  verifyHistory(page: { limit?: number; cursor?: string }): Promise<HistoryVerificationPage> {
    const search = new URLSearchParams();
    if (page.limit !== undefined) search.set('limit', String(page.limit));
    if (page.cursor !== undefined) search.set('cursor', page.cursor);
    const text = search.toString();
    return this.call('GET', '/history/verify', historyVerificationPageSchema, { query: text === '' ? '' : `?${text}` });
  }

  private async call<S extends z.ZodType>(
    method: 'GET' | 'POST',
    path: string,
    schema: S,
    extra: { body?: unknown; query?: string; timeoutMs?: number } = {},
  ): Promise<z.infer<S>> {
    const label = `${method} ${path}`;
    const timeoutMs = extra.timeoutMs ?? this.options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const authorization = `Bearer ${this.options.token()}`;
    let status: number;
    let text: string;
    try {
      const answer = await fetch(`${this.baseUrl}${path}${extra.query ?? ''}`, {
        method,
        headers: {
          accept: 'application/json',
          authorization,
          ...(extra.body !== undefined && { 'content-type': 'application/json' }),
        },
        ...(extra.body !== undefined && { body: JSON.stringify(extra.body) }),
        redirect: 'manual',
        signal: AbortSignal.timeout(timeoutMs),
      });
      status = answer.status;
      text = await answer.text();
    } catch (error) {
      throw new ApiUnreachableError(label, this.baseUrl, networkReason(error, timeoutMs), { cause: error });
    }
    if (status < 200 || status > 299) throw errorFromAnswer(label, status, text);
    const json = parseJson(text);
    if (json === undefined) throw new ApiError(label, status, ['the body is not JSON'], { unexpectedShape: true });
    const parsed = schema.safeParse(json);
    if (!parsed.success) throw new ApiError(label, status, describeIssues(parsed.error), { unexpectedShape: true });
    return parsed.data;
  }
}

/** An id as one path segment: escaped, except `:` and `@`, which ids contain and a path segment allows (RFC 3986). */
function pathSegment(id: string): string {
  return encodeURIComponent(id).replace(/%3A/gi, ':').replace(/%40/g, '@');
}

/** The answer's JSON, its text made safe to print (no escape sequences, no control characters). */
function parseJson(text: string): unknown {
  try {
    return terminalAnswer(JSON.parse(text));
  } catch {
    return undefined;
  }
}

/** The API's own error body when it sent one; a gateway's or proxy's text otherwise. */
function errorFromAnswer(label: string, status: number, text: string): ApiError {
  const body = errorAnswerSchema.safeParse(parseJson(text));
  if (!body.success) {
    const snippet = terminalText(text).trim().replace(/\s+/g, ' ').slice(0, 200);
    return new ApiError(label, status, snippet === '' ? [] : [snippet]);
  }
  const { message, problems, problem, requestId } = body.data;
  const described = problems ?? (problem !== undefined ? [problem] : message !== undefined ? [message] : []);
  return new ApiError(label, status, described, {
    ...(message !== undefined && { message }),
    ...(requestId !== undefined && { requestId }),
  });
}

/** What the network said: the first error code in the chain (`ECONNREFUSED`…), or that the call timed out. */
function networkReason(error: unknown, timeoutMs: number): string {
  const seen = new Set<unknown>();
  const queue: unknown[] = [error];
  while (queue.length > 0) {
    const current = queue.shift();
    if (!(current instanceof Error) || seen.has(current)) continue;
    seen.add(current);
    if (current.name === 'TimeoutError') return `no answer within ${timeoutMs / 1000} s`;
    if ('code' in current && typeof current.code === 'string' && current.code !== '') return current.code;
    queue.push(current.cause);
    if (current instanceof AggregateError) queue.push(...current.errors);
  }
  return error instanceof Error ? error.message : String(error);
}

/** A query's defined fields as `?a=1&b=2`, or nothing when none is. */
function queryString(query: object): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) if (value !== undefined) search.set(key, String(value));
  const text = search.toString();
  return text === '' ? '' : `?${text}`;
}
