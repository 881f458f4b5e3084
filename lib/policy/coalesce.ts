import type { BackOfficePort, ReportingPort, TransferQuery } from '../ports/upstream';

/** How long a joined call waits for more callers, and how many keys it carries at most. */
export interface CoalesceOptions {
  /** Most keys (users, order ids) one joined call carries; a full batch goes out at once. */
  maxKeys: number;
  /** How long the first caller of a batch waits for others (ms) before the batch goes out as it is. */
  waitMs: number;
}

/** A read of a list of keys (users, order ids) with one parameter; the rows it answers each belong to one key. */
export type KeyedRead<P, R> = (keys: string[], param: P) => Promise<R[]>;

/** What a joined read needs: which callers may share a call, the call itself, and whose each row is. */
export interface JoinSpec<P, R> {
  /** Callers whose parameters give the same group may share one call. */
  group: (param: P) => string;
  /** The joined call: every caller's keys (without repeats) and their parameters. */
  call: (keys: string[], params: P[]) => Promise<R[]>;
  /** The key a row belongs to: a caller is handed exactly the rows of its own keys. */
  keyOf: (row: R) => string;
}

/** A caller waiting in a batch: its keys, its parameter, and how its promise settles. */
interface Waiter<P, R> {
  keys: string[];
  param: P;
  resolve: (rows: R[]) => void;
  reject: (error: unknown) => void;
}

/** Callers gathered for one joined call. */
interface Batch<P, R> {
  waiters: Waiter<P, R>[];
  keys: Set<string>;
  timer: ReturnType<typeof setTimeout> | undefined;
}

/**
 * Joins concurrent reads of key lists into fewer calls: a caller joins the open batch of its group
 * (when its keys still fit), which goes out once it holds `maxKeys` keys or `waitMs` after its first
 * caller; each caller is handed exactly the rows of its own keys, and a joined call that fails fails
 * every caller with that error. Why: a run reads several listing pages at once, each of a few users,
 * and the cheap reads (back-office `POST /balances`, Reporting history) take a hundred users a call,
 * so joining the pages in flight divides those calls by the pages joined. A caller with more keys than
 * fit goes out alone (the adapter splits what its source cannot take).
 */
export function joinReads<P, R>(spec: JoinSpec<P, R>, options: CoalesceOptions): KeyedRead<P, R> {
  const open = new Map<string, Batch<P, R>>();
  const send = (group: string, batch: Batch<P, R>) => {
    if (open.get(group) === batch) open.delete(group);
    if (batch.timer) clearTimeout(batch.timer);
    const { waiters } = batch;
    spec
      .call(
        [...batch.keys],
        waiters.map((waiter) => waiter.param),
      )
      .then(
        (rows) => {
          for (const waiter of waiters) waiter.resolve(rowsOf(waiter.keys, rows, spec.keyOf));
        },
        (error: unknown) => {
          for (const waiter of waiters) waiter.reject(error);
        },
      );
  };
  return (keys, param) =>
    new Promise<R[]>((resolve, reject) => {
      const group = spec.group(param);
      const current = open.get(group);
      if (current && !fits(current.keys, keys, options.maxKeys)) send(group, current);
      const batch = open.get(group) ?? { waiters: [], keys: new Set<string>(), timer: undefined };
      open.set(group, batch);
      batch.waiters.push({ keys, param, resolve, reject });
      for (const key of keys) batch.keys.add(key);
      if (batch.keys.size >= options.maxKeys) send(group, batch);
      else batch.timer ??= setTimeout(() => send(group, batch), options.waitMs);
    });
}

/** Whether `keys` can join a batch holding `held` without it passing `max` keys. */
function fits(held: ReadonlySet<string>, keys: readonly string[], max: number): boolean {
  let size = held.size;
  for (const key of new Set(keys)) if (!held.has(key)) size++;
  return size <= max;
}

/** The rows of a joined answer that belong to `keys`, in the answer's order. */
function rowsOf<R>(keys: readonly string[], rows: readonly R[], keyOf: (row: R) => string): R[] {
  const mine = new Set(keys);
  return rows.filter((row) => mine.has(keyOf(row)));
}

/** Coalescing of the cheap reads: the back office's `POST /balances` and the Reporting history reads. */
export interface CoalesceLimits {
  /** Users per joined `POST /balances`. */
  backOfficeUsers: number;
  /** Users per joined Reporting `transfers` or `orders` query (an `Exact` filter on `UserId`). */
  reportingUsers: number;
  /** Order ids per joined `orders/transactions` query. */
  orderIds: number;
  waitMs: number;
}

/**
 * The back-office port with concurrent `balances(userIds)` joined (see {@link joinReads}); `available`
 * is untouched (one user a call by the API's design).
 */
export function coalescedBackOffice(port: BackOfficePort, limits: CoalesceLimits): BackOfficePort {
  const balances = joinReads<null, Awaited<ReturnType<BackOfficePort['balances']>>[number]>(
    { group: () => '', call: (userIds) => port.balances(userIds), keyOf: (row) => row.userId },
    { maxKeys: limits.backOfficeUsers, waitMs: limits.waitMs },
  );
  return { balances: (userIds) => balances(userIds, null), available: (userId) => port.available(userId) };
}

type Transfer = Awaited<ReturnType<ReportingPort['transfers']>>[number];

/**
 * The Reporting port with concurrent history reads joined (see {@link joinReads}): `transfers` of the
 * same query, `finishedOrders` from the same time, `tradesOfOrders`. Every other read passes through.
 */
export function coalescedReporting(port: ReportingPort, limits: CoalesceLimits): ReportingPort {
  const users = { maxKeys: limits.reportingUsers, waitMs: limits.waitMs };
  const transfers = joinReads<TransferQuery | undefined, Transfer>(
    {
      group: (query) => JSON.stringify([query?.from, query?.to, query?.notStatus]),
      call: (ids, [query]) => port.transfers(ids, query),
      keyOf: (row) => row.userId,
    },
    users,
  );
  const orders = joinReads<string | undefined, Awaited<ReturnType<ReportingPort['finishedOrders']>>[number]>(
    { group: (from) => from ?? '', call: (ids, [from]) => port.finishedOrders(ids, from), keyOf: (row) => row.userId },
    users,
  );
  const trades = joinReads<null, Awaited<ReturnType<ReportingPort['tradesOfOrders']>>[number]>(
    { group: () => '', call: (ids) => port.tradesOfOrders(ids), keyOf: (row) => row.orderId },
    { maxKeys: limits.orderIds, waitMs: limits.waitMs },
  );
  return {
    assets: () => port.assets(),
    usersPage: (created, page, askedSize) => port.usersPage(created, page, askedSize),
    userBalances: (userId) => port.userBalances(userId),
    openOrders: (userId) => port.openOrders(userId),
    transfers: (userIds, query) => transfers(userIds, query),
    finishedOrders: (userIds, createdFrom) => orders(userIds, createdFrom),
    tradesOfOrders: (orderIds) => trades(orderIds, null),
  };
}
