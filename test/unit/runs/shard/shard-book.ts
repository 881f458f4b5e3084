import { Amount } from '../../../../lib/domain/money';
import { CircuitBreaker } from '../../../../lib/policy/circuit-breaker';
import { concurrencyLimit } from '../../../../lib/policy/concurrency-limit';
import type { HistoryChunk, HistoryStore } from '../../../../lib/ports/history';
import type { RunPlan } from '../../../../lib/ports/run-state';
import { SourceError } from '../../../../lib/ports/source-error';
import type { BackOfficePort, ReportingPort } from '../../../../lib/ports/upstream';
import type { ReadContext } from '../../../../lib/runs/shard/read-page';
import { TotalsAhead } from '../../../../lib/runs/shard/totals-ahead';
import { SourceHealthTracker } from '../../../../lib/runs/source-health';
import { fakeListing } from '../../../fakes/listing';

const a = Amount.parse;
export const AS_OF = '2026-11-22T00:00:00Z';

/** What a fake book fails: a user's balances, the back office, or the listing from its `n`th request on. */
export interface Faults {
  balancesOf?: string;
  backOffice?: boolean;
  listingFrom?: number;
  /** u2's back-office btc differs from Reporting's by 1 btc (a cross-source mismatch). */
  mismatch?: boolean;
}

const timeout = (source: 'reporting' | 'backoffice', endpoint: string) =>
  new SourceError(source, endpoint, 'timeout', 'headers timeout', { retryable: true });

/** `count` users u1…, each holding 1 btc (rate 30000) with one deposit explaining it; `Bot` users are outside the totals. */
export function reportingOf(count: number, faults: Faults = {}, roles: (i: number) => string = () => 'Trader'): ReportingPort {
  const users = Array.from({ length: count }, (_, i) => ({ userId: `u${i + 1}`, roles: [roles(i + 1)] }));
  const listing = fakeListing(users);
  let requests = 0;
  return {
    assets: async () => [{ assetId: 'btc', scale: 8, total: a(String(count)) }],
    usersPage: async (...args) => {
      requests++;
      if (faults.listingFrom !== undefined && requests >= faults.listingFrom) throw timeout('reporting', 'users');
      return listing(...args);
    },
    userBalances: async (userId) => {
      if (userId === faults.balancesOf) throw timeout('reporting', 'users/balances');
      return [{ asset: 'btc', amount: a('1'), locked: a('0'), available: a('1'), rate: a('30000') }];
    },
    openOrders: async () => [],
    transfers: async (userIds) =>
      userIds.map((userId) => ({
        id: `t-${userId}`,
        userId,
        assetId: 'btc',
        type: 'Deposit' as const,
        status: 'Completed',
        assetAmount: a('1'),
        createdAt: '2026-11-01T00:00:00Z',
      })),
    finishedOrders: async () => [],
    tradesOfOrders: async () => [],
  };
}

/** The back office agreeing with {@link reportingOf} (u2 off by 1 btc with `mismatch`), or failing. */
export function backOfficeOf(faults: Faults = {}): BackOfficePort {
  return {
    balances: async (userIds) => {
      if (faults.backOffice) throw timeout('backoffice', 'balances');
      return userIds.map((userId) => {
        const amount = faults.mismatch && userId === 'u2' ? a('2') : a('1');
        return { userId, found: true as const, balances: new Map([['btc', { amount, locked: a('0') }]]) };
      });
    },
    available: async (userId) => {
      if (faults.backOffice) throw timeout('backoffice', 'user/balance');
      return { userId, found: true as const, available: new Map([['btc', faults.mismatch && userId === 'u2' ? a('2') : a('1')]]) };
    },
  };
}

/** A plan of one shard over the whole listing, in pages of `pageSize`. */
export function planOf(users: number, pageSize = 2, overrides: Partial<RunPlan> = {}): RunPlan {
  return {
    runId: 'r1',
    trigger: { type: 'direct' },
    asOf: AS_OF,
    startedAt: AS_OF,
    dryRun: false,
    rebuild: false,
    pageSize,
    askedPageSize: pageSize,
    totalUsers: users,
    assets: [{ assetId: 'btc', scale: 8, total: String(users) }],
    shards: [{ firstPage: 1, endPage: 1 + Math.ceil(users / pageSize) }],
    ...overrides,
  };
}

/** Running totals in a Map, recording every load and save call. */
export class MemoryHistory implements HistoryStore {
  readonly chunks = new Map<string, HistoryChunk>();
  readonly loads: string[][] = [];
  readonly saves: string[][] = [];

  async load(keys: string[]) {
    this.loads.push(keys);
    return new Map(keys.flatMap((key) => (this.chunks.has(key) ? [[key, this.chunks.get(key) as HistoryChunk] as const] : [])));
  }

  async save(chunks: ReadonlyMap<string, HistoryChunk>) {
    this.saves.push([...chunks.keys()]);
    for (const [key, chunk] of chunks) this.chunks.set(key, chunk);
  }
}

/** A read context over the fake book. */
export function readContextOf(plan: RunPlan, reporting: ReportingPort, backOffice: BackOfficePort, history?: HistoryStore): ReadContext {
  return {
    plan,
    range: {},
    reporting,
    backOffice,
    breaker: new CircuitBreaker(100),
    health: new SourceHealthTracker(),
    backOfficeLimit: concurrencyLimit(2),
    totals: new TotalsAhead(history, plan.pageSize, plan.shards[0] ?? { firstPage: 1 }),
    history: { asOf: new Date(plan.asOf), graceMs: 0, overlapMs: 0, rebuild: false },
  };
}
