import { afterEach, describe, expect, it } from 'vitest';
import { Precision } from '../../../lib/domain/precision';
import type { Verdict } from '../../../lib/domain/verdict';
import { CircuitBreaker } from '../../../lib/policy/circuit-breaker';
import { venueBudgets } from '../../../lib/policy/venue-schedule';
import type { VenueCoverage, VenuePorts } from '../../../lib/ports/venues';
import { checkVenues, multiMarketsAccountKey } from '../../../lib/runs/check-venues';
import { SourceHealthTracker } from '../../../lib/runs/source-health';
import { Secret } from '../../../lib/secret';
import { JsonClient } from '../../../lib/sources/http/json-client';
import { MultiMarketsClient, multiMarketsHttp } from '../../../lib/sources/multimarkets/multimarkets-client';
import { reportingAdapter } from '../../../lib/sources/reporting/reporting-adapter';
import { ReportingClient } from '../../../lib/sources/reporting/reporting-client';
import { SANDBOX_MULTIMARKETS_COMPANY_ID, SANDBOX_REPORTING_TOKEN } from '../../../sandbox/credentials';
import { type RunningSandbox, startSandbox } from '../../../sandbox/server';
import { InMemoryVenueCheckLog } from '../../fakes/in-memory-ports';
import { SimulatedClock } from '../../support/simulated-clock';

const HOUR_MS = 3_600_000;
const WINDOW_SECONDS = 24 * 3600;
const ACCOUNTS = 2_000;
/** The product's pace: 90 a minute, below the sandbox limiter's 100 a minute (its default, as MultiMarkets documents). */
const RATE_PER_MINUTE = 90;

/** What the simulated schedule saw: per run its coverage and verdicts, per account the times the venue answered it. */
interface Simulation {
  runs: { hour: number; startedAt: number; finishedAt: number; coverage: VenueCoverage; verdicts: Verdict[] }[];
  answeredAt: Map<string, number[]>;
  keys: string[];
  start: number;
  end: number;
  sandbox: RunningSandbox;
  http: JsonClient;
}

/**
 * Runs the venue phase hourly for `hours` hours of simulated time against a sandbox of 8,200 users
 * (2,000 of whose MultiMarkets accounts are mapped), with the product's paced MultiMarkets client
 * and Reporting client over HTTP and a budget of `runSeconds` per run. The times each account was
 * read are taken from the venue port's answers, not from the log under test.
 */
async function simulate(runSeconds: number, hours: number, opened: RunningSandbox[]): Promise<Simulation> {
  const clock = new SimulatedClock();
  const sandbox = await startSandbox({ port: 0, users: 8_200, seed: 7, now: clock.now });
  opened.push(sandbox);
  const mapped = sandbox.book.multiMarketsAccounts.slice(0, ACCOUNTS);
  expect(mapped).toHaveLength(ACCOUNTS);
  const http = multiMarketsHttp({ baseUrl: sandbox.url, ratePerMinute: RATE_PER_MINUTE, timeoutMs: 5_000, retries: 3, clock });
  const multiMarkets = new MultiMarketsClient(http, SANDBOX_MULTIMARKETS_COMPANY_ID, { clock });
  const reporting = reportingAdapter(
    new ReportingClient(
      new JsonClient({ source: 'reporting', baseUrl: sandbox.url, concurrency: 4, timeoutMs: 5_000, retries: 0 }),
      new Secret(SANDBOX_REPORTING_TOKEN),
      100,
    ),
  );
  const answeredAt = new Map<string, number[]>();
  const ports: VenuePorts = {
    accounts: {
      multimarkets: mapped.map(({ thirdServerCode, userName, currency, userId, asset }) => ({
        thirdServerCode,
        userName,
        currency,
        userId,
        asset,
      })),
      indx: [],
    },
    multiMarkets: {
      balance: async (account) => {
        const balance = await multiMarkets.balance(account);
        const key = multiMarketsAccountKey(account);
        answeredAt.set(key, [...(answeredAt.get(key) ?? []), clock.now()]);
        return balance;
      },
    },
  };
  const precision = new Precision(new Map(sandbox.book.assets.map((asset) => [asset.id, asset.scale])));
  const log = new InMemoryVenueCheckLog();
  const budgets = venueBudgets({ runSeconds, multiMarketsRatePerMinute: RATE_PER_MINUTE });
  const runs: Simulation['runs'] = [];
  for (let hour = 0; hour <= hours; hour++) {
    await clock.sleep(clock.start + hour * HOUR_MS - clock.now());
    const startedAt = clock.now();
    const breaker = new CircuitBreaker(3);
    const { verdicts, coverage } = await checkVenues(
      ports,
      (userId) => breaker.call('reporting', () => reporting.userBalances(userId)),
      { log, budgets, windowSeconds: WINDOW_SECONDS, clock: { now: () => new Date(clock.now()) } },
      precision,
      breaker,
      new SourceHealthTracker(),
    );
    if (!coverage.multimarkets) throw new Error('no MultiMarkets coverage reported');
    runs.push({ hour, startedAt, finishedAt: clock.now(), coverage: coverage.multimarkets, verdicts });
  }
  return {
    runs,
    answeredAt,
    keys: ports.accounts.multimarkets.map(multiMarketsAccountKey),
    start: clock.start,
    end: clock.now(),
    sandbox,
    http,
  };
}

/** Accounts whose last answer before `at` is older than the window (or that had none): overdue by the venue's own answers. */
function overdueAt(simulation: Simulation, at: number): number {
  return simulation.keys.filter((key) => {
    const before = (simulation.answeredAt.get(key) ?? []).filter((time) => time <= at);
    const last = before[before.length - 1];
    return last === undefined || last < at - WINDOW_SECONDS * 1000;
  }).length;
}

/** The longest time each account went unread: from the start to its first read, between reads, and from its last read to the end. */
function longestGaps(simulation: Simulation): Map<string, number> {
  return new Map(
    simulation.keys.map((key) => {
      const times = [simulation.start, ...(simulation.answeredAt.get(key) ?? []), simulation.end];
      return [key, Math.max(...times.slice(1).map((time, index) => time - (times[index] as number)))];
    }),
  );
}

describe('MultiMarkets coverage over days of hourly runs (sandbox over HTTP, simulated clock)', () => {
  const opened: RunningSandbox[] = [];
  afterEach(async () => {
    for (const sandbox of opened.splice(0)) await sandbox.close();
  });

  it('reads every one of 2,000 accounts within every 24 h window, with no 429 and no 418, when the budget suffices', async () => {
    // 60 s a run at 90 a minute: 90 accounts a run, 24 × 90 = 2,160 ≥ 2,000 a window
    const simulation = await simulate(60, 72, opened);
    const { runs, sandbox } = simulation;
    expect(runs).toHaveLength(73);
    expect(runs.every((run) => run.coverage.checked === 90)).toBe(true);
    expect(Math.max(...runs.map((run) => run.finishedAt - run.startedAt))).toBeLessThanOrEqual(60_000);
    expect(sandbox.server.sandboxStats.snapshot().multimarkets).toEqual({ tooManyRequests: 0, banned: 0 });
    expect(simulation.http.stats).toMatchObject({ requests: 73 * 90, retries: 0, failures: 0 });

    const gaps = longestGaps(simulation);
    expect(gaps.size).toBe(ACCOUNTS);
    const longest = Math.max(...gaps.values());
    expect(longest).toBeLessThanOrEqual(WINDOW_SECONDS * 1000);
    // round robin: 2,000 / 90 → each account again 23 runs (23 h) after its last read
    expect(longest).toBeGreaterThan(22 * HOUR_MS);
    const firstReads = simulation.keys.map((key) => (simulation.answeredAt.get(key) ?? [])[0] ?? Number.POSITIVE_INFINITY);
    expect(Math.max(...firstReads) - simulation.start).toBeLessThanOrEqual(WINDOW_SECONDS * 1000);

    for (const run of runs) {
      // never claims more coverage than the venue's answers show
      expect(run.coverage.overdue).toBeGreaterThanOrEqual(overdueAt(simulation, run.finishedAt));
      // until every account was read once, the overdue are exactly the never read; after, none
      expect(run.coverage.overdue).toBe(Math.max(0, ACCOUNTS - 90 * (run.hour + 1)));
      expect(run.coverage).toMatchObject({ accounts: ACCOUNTS, window: WINDOW_SECONDS });
    }

    const verdicts = runs.flatMap((run) => run.verdicts);
    expect(verdicts).toHaveLength(73 * 90);
    expect(verdicts.filter((verdict) => verdict.outcome === 'unknown')).toEqual([]);
    const mismatched = new Set(verdicts.filter((verdict) => verdict.outcome === 'mismatch').map((v) => `${v.userId}:${v.asset}`));
    const mappedUsers = new Set(
      sandbox.book.multiMarketsAccounts.slice(0, ACCOUNTS).map((account) => `${account.userId}:${account.asset}`),
    );
    const planted = sandbox.book.manifest.planted
      .filter((plant) => plant.check === 'venue-multimarkets' && mappedUsers.has(`${plant.userId}:${plant.asset}`))
      .map((plant) => `${plant.userId}:${plant.asset}`);
    expect([...mismatched].sort()).toEqual(planted.sort());
  });

  it('reports accounts overdue, never full coverage, when the budget cannot cover the window', async () => {
    // 30 s a run at 90 a minute: 45 accounts a run, 24 × 45 = 1,080 < 2,000 a window
    const simulation = await simulate(30, 47, opened);
    const { runs, sandbox } = simulation;
    expect(sandbox.server.sandboxStats.snapshot().multimarkets).toEqual({ tooManyRequests: 0, banned: 0 });
    expect(runs.every((run) => run.coverage.checked === 45)).toBe(true);
    for (const run of runs) {
      expect(run.coverage.overdue).toBeGreaterThan(0);
      expect(run.coverage.overdue).toBeGreaterThanOrEqual(overdueAt(simulation, run.finishedAt));
    }
    // once a window has passed, only the 24 latest runs' 45 accounts each are within it
    for (const run of runs.filter((candidate) => candidate.hour >= 24)) expect(run.coverage.overdue).toBe(ACCOUNTS - 24 * 45);
    const longest = Math.max(...longestGaps(simulation).values());
    expect(longest).toBeGreaterThan(WINDOW_SECONDS * 1000);
  });
});
