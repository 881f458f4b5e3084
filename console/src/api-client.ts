import type { z } from 'zod';
import {
  type BreakTotals,
  breakTotalsSchema,
  type ConsoleConfig,
  consoleConfigSchema,
  type DevTokenAnswer,
  type DiscrepancyAnswer,
  type DiscrepancyDetail,
  type DiscrepancyPage,
  devTokenAnswerSchema,
  discrepancyDetailSchema,
  discrepancyPageSchema,
  discrepancyStateSchema,
  errorAnswerSchema,
  type RunPage,
  type RunState,
  runPageSchema,
  runStateSchema,
} from '../../lib/api/schemas';
import type { BreakFilter } from './routes';

/** An answer the API refused or that did not match the contract: its status and the API's own words. */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly status: number,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** The actions on a discrepancy (`POST /discrepancies/{id}/{action}`). */
export type DiscrepancyAction = 'acknowledge' | 'assign' | 'resolve' | 'approve' | 'reject';

/** The calls the console makes, each answer parsed with the API's schemas (lib/api/schemas.ts). */
export interface ApiClient {
  config(): Promise<ConsoleConfig>;
  devToken(sub: string, access: 'read' | 'act'): Promise<DevTokenAnswer>;
  discrepancies(filter: BreakFilter, cursor?: string, limit?: number): Promise<DiscrepancyPage>;
  totals(filter: BreakFilter): Promise<BreakTotals | undefined>;
  discrepancy(id: string): Promise<DiscrepancyDetail>;
  act(id: string, action: DiscrepancyAction, body: { note: string; assignee?: string }): Promise<DiscrepancyAnswer>;
  runs(cursor?: string, limit?: number): Promise<RunPage>;
  run(id: string): Promise<RunState>;
  startRun(body: { dryRun: boolean; users?: string[] }): Promise<RunState>;
}

/** How the client reaches the API: its base URL (the origin, with the stage path if any), the token, and who hears a 401. */
export interface ApiClientOptions {
  base: string;
  token: () => string | undefined;
  onUnauthorized: () => void;
  fetch?: typeof fetch;
}

/**
 * A client of the service's HTTP API: a bearer token on every call, answers parsed with zod, an error
 * answer turned into an {@link ApiError} carrying the API's message, a 401 reported (the session is over).
 */
export function createApiClient(options: ApiClientOptions): ApiClient {
  const call = requester(options);
  return {
    config: () => call('GET', 'console/config.json', consoleConfigSchema),
    devToken: (sub, access) => call('POST', 'dev/token', devTokenAnswerSchema, { sub, access }),
    discrepancies: (filter, cursor, limit = 25) =>
      call('GET', `discrepancies?${query({ ...filter, limit: String(limit), cursor })}`, discrepancyPageSchema),
    totals: async (filter) => {
      try {
        return await call('GET', `discrepancies/totals?${query(filter)}`, breakTotalsSchema);
      } catch (error) {
        // The route arrives with issue 18's runs work: until it does, the page shows no totals rather than an error.
        if (error instanceof ApiError && error.status === 404) return undefined;
        throw error;
      }
    },
    discrepancy: (id) => call('GET', `discrepancies/${encodeURIComponent(id)}`, discrepancyDetailSchema),
    act: (id, action, body) => call('POST', `discrepancies/${encodeURIComponent(id)}/${action}`, discrepancyStateSchema, body),
    runs: (cursor, limit = 25) => call('GET', `runs?${query({ limit: String(limit), cursor })}`, runPageSchema),
    run: (id) => call('GET', `runs/${encodeURIComponent(id)}`, runStateSchema),
    startRun: (body) => call('POST', 'runs', runStateSchema, body),
  };
}

function requester({ base, token, onUnauthorized, fetch: fetchImpl = globalThis.fetch.bind(globalThis) }: ApiClientOptions) {
  return async <S extends z.ZodType>(method: 'GET' | 'POST', path: string, schema: S, body?: unknown): Promise<z.infer<S>> => {
    const headers: Record<string, string> = { accept: 'application/json' };
    const bearer = token();
    if (bearer) headers.authorization = `Bearer ${bearer}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    let response: Response;
    try {
      response = await fetchImpl(new URL(path, base), { method, headers, ...(body !== undefined && { body: JSON.stringify(body) }) });
    } catch (cause) {
      throw new ApiError(0, 'The service could not be reached', { cause });
    }
    const answer: unknown = await response.json().catch(() => undefined);
    if (!response.ok) {
      if (response.status === 401 && bearer) onUnauthorized();
      throw new ApiError(response.status, errorMessage(response.status, answer));
    }
    const parsed = schema.safeParse(answer);
    if (!parsed.success)
      throw new ApiError(response.status, `Unexpected answer from ${method} /${path.split('?')[0]}`, { cause: parsed.error });
    return parsed.data;
  };
}

/** The API's own words for a refusal: its `problem`, its `problems`, or its `message`. */
export function errorMessage(status: number, answer: unknown): string {
  const parsed = errorAnswerSchema.safeParse(answer);
  const error = parsed.success ? parsed.data : {};
  const words = error.problem ?? error.problems?.join('; ') ?? error.message;
  return words ? words : `The service answered ${status}`;
}

/** A query string of the values that are set. */
function query(values: Record<string, string | undefined>): string {
  return new URLSearchParams(Object.entries(values).filter((entry): entry is [string, string] => entry[1] !== undefined)).toString();
}
