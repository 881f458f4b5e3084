import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createBackOfficeHandlers } from './back-office';
import { generateBook } from './book';
import type { Book } from './book-types';
import { CONTROL_PREFIX, createControlHandler } from './control-routes';
import type { Upstream } from './fault-rules';
import { FaultInjector, type FaultRule, type SandboxFaults } from './faults';
import { BodyTooLargeError, jsonError, readBody, type SandboxRequest, type SandboxResponse, send } from './http-kit';
import { createIndxHandler } from './indx';
import { createMultiMarketsHandler } from './multimarkets';
import { MULTIMARKETS_RATE_LIMIT, type RateLimitPolicy, RollingWindowLimiter } from './rate-limiter';
import { createReportingHandler, REPORTING_PREFIX } from './reporting-api';
import { DEFAULT_PAGE_CAP, MAX_PER_PAGE } from './reporting-engine';
import { SandboxStats } from './stats';

/** Knobs of a sandbox server; the defaults are what the upstream documents say. */
export interface SandboxServerOptions {
  /** MultiMarkets rate limit (default 100 per 60 s per companyId, 5-minute ban) */
  multimarketsRateLimit?: RateLimitPolicy;
  /** clock in epoch ms for rate limiting and `tm` (default Date.now) */
  now?: () => number;
  /** log one line per request to stderr (default false) */
  logRequests?: boolean;
  /** fault rules active from the start (see `server.sandboxFaults` and sandbox/README.md "Fault modes") */
  faults?: readonly FaultRule[];
  /** the most rows (users) a page of any paged endpoint answers, whatever `per_page` asks (default 15, as in the documents) */
  pageCap?: number;
}

/** A node:http server serving the four upstream APIs over `book`, with its counters attached. */
export interface SandboxServer extends Server {
  sandboxStats: SandboxStats;
  /** the active fault rules: set / clear / list (also over `/__sandbox/faults`) */
  sandboxFaults: SandboxFaults;
}

const USER_BALANCE = /^\/back-api\/backoffice\/user\/([^/]+)\/balance\/?$/;
const MULTIMARKETS_PATH = '/api/cats-gateway/get-user-amount';
const INDX_PATH = '/api/v2/trade/Balance';
const BALANCES_PATH = '/back-api/backoffice/balances';

/** Creates the sandbox HTTP server (plain node:http): back office, reporting, MultiMarkets, INDX and control routes. */
export function createSandboxServer(book: Book, options: SandboxServerOptions = {}): SandboxServer {
  const now = options.now ?? Date.now;
  const stats = new SandboxStats();
  const limiter = new RollingWindowLimiter(options.multimarketsRateLimit ?? MULTIMARKETS_RATE_LIMIT, now);
  const pageCap = options.pageCap ?? DEFAULT_PAGE_CAP;
  if (!Number.isSafeInteger(pageCap) || pageCap < 1 || pageCap > MAX_PER_PAGE)
    throw new RangeError(`pageCap must be 1..${MAX_PER_PAGE}, got ${pageCap}`);
  const backOffice = createBackOfficeHandlers(book, pageCap);
  const reporting = createReportingHandler(book, (report, rows) => stats.recordRows(report, rows), pageCap);
  const multimarkets = createMultiMarketsHandler({ book, limiter, stats, now });
  const indx = createIndxHandler(book);
  const faults = new FaultInjector({ stats, limiter, now });
  if (options.faults) faults.set(options.faults);
  const control = createControlHandler(book, stats, () => limiter.reset(), faults);

  /** Route key (for stats), handler and upstream (undefined for control routes) of a method + path, or undefined for 404. */
  const route = (
    method: string,
    path: string,
  ): { key: string; handle: (req: SandboxRequest) => SandboxResponse; upstream?: Upstream } | undefined => {
    const userBalance = USER_BALANCE.exec(path);
    if (userBalance) {
      if (method !== 'GET') return { key: `${method} ${path}`, handle: () => jsonError(405, 'Method not allowed'), upstream: 'backoffice' };
      let userId: string;
      try {
        userId = decodeURIComponent(userBalance[1] as string);
      } catch {
        userId = userBalance[1] as string;
      }
      return {
        key: 'GET /back-api/backoffice/user/{userId}/balance',
        handle: (req) => backOffice.userBalance(req, userId),
        upstream: 'backoffice',
      };
    }
    const post = (upstream: Upstream, key: string, handle: (req: SandboxRequest) => SandboxResponse) =>
      method === 'POST'
        ? { key: `POST ${key}`, handle, upstream }
        : { key: `${method} ${key}`, handle: () => jsonError(405, 'Method not allowed'), upstream };
    if (path === BALANCES_PATH) return post('backoffice', BALANCES_PATH, (req) => backOffice.balances(req));
    if (path.startsWith(REPORTING_PREFIX)) {
      const report = path.slice(REPORTING_PREFIX.length).replace(/\/$/, '');
      return post('reporting', path.replace(/\/$/, ''), (req) => reporting(req, report));
    }
    if (path === MULTIMARKETS_PATH) return post('multimarkets', MULTIMARKETS_PATH, multimarkets);
    if (path === INDX_PATH) return post('indx', INDX_PATH, indx);
    if (path.startsWith(CONTROL_PREFIX)) {
      const handler = control(method, path.slice(CONTROL_PREFIX.length));
      if (handler) return { key: `${method} ${path}`, handle: handler };
    }
    return undefined;
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const method = req.method ?? 'GET';
    let path: string;
    try {
      path = new URL(req.url ?? '/', 'http://sandbox.local').pathname;
    } catch {
      send(res, jsonError(400, 'Malformed request URL'));
      return;
    }
    const found = route(method, path);
    stats.record(found?.key ?? 'unmatched');
    if (!found) {
      send(res, jsonError(404, `No route for ${method} ${path}`));
      return;
    }
    let body = '';
    try {
      body = await readBody(req);
    } catch (err) {
      send(res, err instanceof BodyTooLargeError ? jsonError(413, err.message) : jsonError(400, 'Could not read the request body'));
      return;
    }
    const request: SandboxRequest = { method, path, headers: req.headers, body, remoteAddress: req.socket.remoteAddress ?? 'unknown' };
    if (!found.upstream) {
      const answer = found.handle(request);
      if (options.logRequests) process.stderr.write(`${method} ${path} → ${answer.status}\n`);
      send(res, answer);
      return;
    }
    const outcome = faults.serve(found.upstream, request, found.handle, res);
    if (options.logRequests) {
      const injected = outcome.modes.length > 0 ? ` (faults: ${outcome.modes.join(', ')})` : '';
      process.stderr.write(`${method} ${path} → ${outcome.status ?? 'held open'}${injected}\n`);
    }
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (options.logRequests) process.stderr.write(`sandbox error: ${err instanceof Error ? err.stack : String(err)}\n`);
      if (!res.headersSent) send(res, jsonError(500, 'Internal sandbox error'));
      else res.destroy();
    });
  }) as SandboxServer;
  server.sandboxStats = stats;
  server.sandboxFaults = faults;
  server.on('clientError', (_err, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\n\r\n');
    else socket.destroy();
  });
  return server;
}

/** Options of `startSandbox`. */
export interface StartSandboxOptions extends SandboxServerOptions {
  host?: string;
  /** 0 picks a free port */
  port?: number;
  users?: number;
  seed?: number;
  asOf?: string;
  /** serve this book instead of generating one from users/seed/asOf */
  book?: Book;
}

/** A running sandbox. */
export interface RunningSandbox {
  url: string;
  port: number;
  book: Book;
  server: SandboxServer;
  close(): Promise<void>;
}

/** Generates a book and serves it; resolves once listening. Defaults: 127.0.0.1:4010, 60 users, seed 42. */
export async function startSandbox(options: StartSandboxOptions = {}): Promise<RunningSandbox> {
  const { host = '127.0.0.1', port = 4010, users = 60, seed = 42 } = options;
  const book = options.book ?? generateBook({ users, seed, asOf: options.asOf });
  const server = createSandboxServer(book, options);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const actualPort = (server.address() as AddressInfo).port;
  const urlHost = host.includes(':') ? `[${host}]` : host;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${urlHost}:${actualPort}`,
    port: actualPort,
    book,
    server,
    close() {
      closing ??= new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        // hung (and still-delayed) fault requests would otherwise keep their connections open
        server.sandboxFaults.releaseHeld();
        server.closeIdleConnections();
        setTimeout(() => server.closeAllConnections(), 1000).unref();
      });
      return closing;
    },
  };
}
