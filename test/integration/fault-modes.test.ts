import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../lib/config';
import type { RunSummary } from '../../lib/ports/run-summary';
import { reconcile } from '../../lib/runs/reconcile';
import { wire } from '../../lib/wiring';
import type { FaultRule } from '../../sandbox/faults';
import { type RunningSandbox, startSandbox } from '../../sandbox/server';
import { localEnvironment } from '../support/local-environment';
import { alertsTopic, freshTables } from '../support/local-services';
import { keyOf } from '../support/planted-items';
import { runDeps } from '../support/run-deps';

type Expectation = 'exact' | { partial: 'reporting' | 'backoffice' | 'multimarkets' | 'indx' } | { failed: 'reporting' };

/** Each upstream misbehaviour, and what a run over it must end with. */
const cases: { name: string; rules: FaultRule[]; expect: Expectation; drift?: string; venues?: boolean }[] = [
  {
    name: 'slow answers',
    rules: [{ target: 'reporting', endpoint: 'users/balances', mode: 'latency', latencyMs: 50, times: 10 }],
    expect: 'exact',
  },
  {
    name: 'a 503 burst that retries absorb',
    rules: [{ target: 'reporting', endpoint: 'users/balances', mode: 'status', status: 503, times: 2 }],
    expect: 'exact',
  },
  {
    name: 'a 429 burst that retries absorb',
    rules: [{ target: 'backoffice', endpoint: 'balances', mode: 'rate-limit', retryAfterSeconds: 0, times: 2 }],
    expect: 'exact',
  },
  {
    name: 'one hung call that a retry absorbs',
    rules: [{ target: 'reporting', endpoint: 'users/balances', mode: 'hang', times: 1 }],
    expect: 'exact',
  },
  {
    name: 'a page that repeats once',
    rules: [{ target: 'backoffice', endpoint: 'balances', mode: 'repeat-page', times: 1 }],
    expect: 'exact',
  },
  {
    name: 'a total that drifts once',
    rules: [{ target: 'backoffice', endpoint: 'balances', mode: 'total-drift', times: 1 }],
    expect: 'exact',
  },
  {
    name: 'an added field',
    rules: [{ target: 'reporting', endpoint: 'users/balances', mode: 'extra-field', field: 'assetTag' }],
    expect: 'exact',
    drift: 'assetTag',
  },
  {
    name: 'a back office down for good',
    rules: [{ target: 'backoffice', endpoint: 'balances', mode: 'status', status: 503 }],
    expect: { partial: 'backoffice' },
  },
  {
    name: 'a back office that never answers',
    rules: [{ target: 'backoffice', endpoint: 'balances', mode: 'hang' }],
    expect: { partial: 'backoffice' },
  },
  {
    name: 'truncated bodies',
    rules: [{ target: 'reporting', endpoint: 'users/balances', mode: 'truncate', times: 3 }],
    expect: { partial: 'reporting' },
  },
  {
    name: 'non-JSON bodies',
    rules: [{ target: 'backoffice', endpoint: 'balances', mode: 'non-json', times: 1 }],
    expect: { partial: 'backoffice' },
  },
  {
    name: 'a renamed field',
    rules: [
      { target: 'reporting', endpoint: 'users/balances', mode: 'rename-field', field: 'assetAmount', renameTo: 'asset_amount', times: 4 },
    ],
    expect: { partial: 'reporting' },
    drift: 'asset_amount',
  },
  {
    // Read by key, the listing asks page 1 from the last instant read: a page N repeating page N−1 has nothing to act on.
    name: 'a user listing whose page repeats',
    rules: [{ target: 'reporting', endpoint: 'users', mode: 'repeat-page', times: 1 }],
    expect: 'exact',
  },
  {
    // A moved total is no fault any more (users sign up and leave): each request's own total says where its pages end.
    name: 'a user listing whose total drifts',
    rules: [{ target: 'reporting', endpoint: 'users', mode: 'total-drift' }],
    expect: 'exact',
  },
  {
    name: 'a user listing call that fails mid-run (a truncated body): the rest of its range named unread',
    rules: [{ target: 'reporting', endpoint: 'users', mode: 'truncate', after: 4, times: 1 }],
    expect: { partial: 'reporting' },
  },
  {
    name: 'a MultiMarkets 429 that the gate waits out (and never a 418)',
    rules: [{ target: 'multimarkets', mode: 'rate-limit', retryAfterSeconds: 1, times: 1 }],
    expect: 'exact',
    venues: true,
  },
  {
    name: 'a 429 asking for 25 s, beyond the cap: the call fails at once and its checks are unknown',
    rules: [{ target: 'reporting', endpoint: 'users/balances', mode: 'rate-limit', retryAfterSeconds: 25, times: 1 }],
    expect: { partial: 'reporting' },
  },
  {
    name: 'MultiMarkets down for good',
    rules: [{ target: 'multimarkets', mode: 'status', status: 503 }],
    expect: { partial: 'multimarkets' },
    venues: true,
  },
  { name: 'INDX answering HTML', rules: [{ target: 'indx', mode: 'non-json' }], expect: { partial: 'indx' }, venues: true },
  { name: 'Reporting down for good', rules: [{ target: 'reporting', mode: 'status', status: 500 }], expect: { failed: 'reporting' } },
  // Last: the sandbox's penalty outlasts the case, and a fresh client calling inside it would be banned.
  {
    name: 'a MultiMarkets 429 asking for 90 s, beyond its 60 s cap: the venue read fails rather than wait or call inside the penalty',
    rules: [{ target: 'multimarkets', mode: 'rate-limit', retryAfterSeconds: 90, times: 1 }],
    expect: { partial: 'multimarkets' },
    venues: true,
  },
];

describe('a run over a misbehaving upstream: a correct result after retries, or the failing source named and its checks unknown', () => {
  let sandbox: RunningSandbox;
  let topic: Awaited<ReturnType<typeof alertsTopic>>;
  beforeAll(async () => {
    sandbox = await startSandbox({ port: 0, users: 30, seed: 21 });
    topic = await alertsTopic();
  });
  /** MultiMarkets 418 answers the sandbox has given so far. */
  const bans = async () =>
    ((await (await fetch(`${sandbox.url}/__sandbox/stats`)).json()) as { multimarkets: { banned: number } }).multimarkets.banned;
  afterAll(async () => {
    await sandbox?.close();
    await topic?.stop();
  });

  it.each(cases)('$name', async ({ rules, expect: expectation, drift, venues }) => {
    sandbox.server.sandboxFaults.set(rules);
    const bannedBefore = await bans();
    const { tables, endpoint, documents } = await freshTables();
    const { deps } = wire(
      loadConfig({
        ...localEnvironment(sandbox, { endpoint, tables }, topic, { venues }),
        HTTP_TIMEOUT_MS: '300',
        HTTP_RETRIES: '2',
        PAGE_SIZE: '4',
        USER_BATCH_SIZE: '15',
      }),
    );
    let summary: RunSummary;
    try {
      summary = await reconcile({ runId: 'r-fault', trigger: { type: 'direct' }, asOf: new Date(sandbox.book.asOf) }, runDeps(deps));
    } finally {
      sandbox.server.sandboxFaults.clear();
    }
    const planted = sandbox.book.manifest.planted
      .filter((plant) => venues || !plant.check.startsWith('venue-'))
      .map(keyOf)
      .sort();
    const { Items = [] } = await documents.send(new ScanCommand({ TableName: tables.discrepancies }));
    const recorded = Items.map((item) => keyOf(item as never)).sort();

    expect(
      recorded.filter((key) => !planted.includes(key)),
      'no false discrepancy',
    ).toEqual([]);
    if (expectation === 'exact') {
      expect(summary.status).toBe('complete');
      expect(recorded).toEqual(planted);
    } else if ('failed' in expectation) {
      expect(summary.status).toBe('failed');
      expect(summary.sources[expectation.failed]).toMatchObject({ status: 'unavailable' });
      expect(recorded).toEqual([]);
    } else {
      expect(summary.status).toBe('partial');
      expect(summary.sources[expectation.partial]?.failures).toBeGreaterThan(0);
      expect(summary.sources[expectation.partial]?.firstError).toMatch(new RegExp(`^${expectation.partial} `));
      const unknown = Object.values(summary.checks).reduce((total, tally) => total + tally.unknown, 0);
      const listingOnly = summary.sources.reporting?.firstError?.includes('inconsistent-paging');
      if (!listingOnly) expect(unknown).toBeGreaterThan(0);
    }
    if (drift) expect(JSON.stringify(summary.sources)).toContain(drift);
    expect((await bans()) - bannedBefore, 'no MultiMarkets ban (418)').toBe(0);
  });
});
