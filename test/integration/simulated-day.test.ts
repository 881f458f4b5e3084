import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunSummary } from '../../lib/ports/run-summary';
import type { ReportingPort } from '../../lib/ports/upstream';
import { reconcile } from '../../lib/runs/reconcile';
import { addActivity } from '../../sandbox/activity';
import { type RunningSandbox, startSandbox } from '../../sandbox/server';
import { refreshReportingRat } from '../../sandbox/views';
import { runDeps } from '../support/run-deps';
import { drain, type ShardedWiring, shardedWiring } from '../support/sharded-run';

const HOUR = 3_600_000;
const USERS = 60;
/** Hourly runs 0..LAST_HOUR; plants at seeded hours in 1..PLANT_UNTIL, so each has a whole window of runs after it. */
const LAST_HOUR = 34;
const PLANT_UNTIL = 10;
const PLANTS = 6;

let sandbox: RunningSandbox;

beforeAll(async () => {
  sandbox = await startSandbox({ port: 0, users: USERS, seed: 19 });
});
afterAll(async () => {
  await sandbox.close();
});

/** A small seeded generator (the hours and users planted are the same on every run of the test). */
function seeded(seed: number): () => number {
  let state = seed;
  return () => {
    state = (Math.imul(state, 1_103_515_245) + 12_345) >>> 0;
    return state / 2 ** 32;
  };
}

/** Users whose Reporting balances the run read (a full verification) while `during` ran. */
async function verifiedDuring(w: ShardedWiring, during: () => Promise<RunSummary | undefined>) {
  const reporting = w.deps.reporting;
  const verified = new Set<string>();
  const counting: ReportingPort = {
    ...reporting,
    userBalances: (userId) => {
      verified.add(userId);
      return reporting.userBalances(userId);
    },
  };
  w.deps.reporting = counting;
  try {
    return { summary: await during(), verified };
  } finally {
    w.deps.reporting = reporting;
  }
}

/**
 * Changes one position's Reporting amount (and available, so Reporting's own split holds) and nothing
 * else: no history row, the back office as it was — a change only Reporting sees.
 */
function plantReportingOnly(userId: string): string {
  const position = sandbox.book.reportingPositions.find((one) => one.userId === userId && one.reporting.assetAmount > 0n);
  if (!position) throw new Error(`no position of ${userId} to plant on`);
  const delta = position.reporting.assetAmount / 10n + 1n;
  position.reporting.assetAmount += delta;
  position.reporting.availableAssetAmount += delta;
  refreshReportingRat(position.reporting, position.asset, position.scale);
  sandbox.book.revision++;
  return position.asset;
}

describe('a simulated day of hourly runs with FULL_VERIFY_HOURS=24 (sandbox over HTTP, DynamoDB Local)', () => {
  it('finds every Reporting-only change within the window, verifies every user once per window, and carried users never open or resolve anything', async () => {
    const w = await shardedWiring(sandbox);
    Object.assign(w.deps, { fullVerifyHours: 24 });
    const random = seeded(19);
    const plantHours = new Set<number>();
    while (plantHours.size < PLANTS) plantHours.add(1 + Math.floor(random() * PLANT_UNTIL));
    const planted: { userId: string; hour: number; foundHour?: number }[] = [];
    const lastVerified = new Map<string, number>();
    /** Hours between two full verifications of a user, and (after each run) since the last one. */
    const gaps: number[] = [];
    const since: number[] = [];
    const carriedChanges: string[] = [];
    const summaries: RunSummary[] = [];

    for (let hour = 0; hour <= LAST_HOUR; hour++) {
      if (hour > 0) addActivity(sandbox.book, { fraction: 0.002, advanceMs: HOUR, seed: 1000 + hour });
      const before = await w.store.active();
      if (plantHours.has(hour)) {
        const busy = new Set([...before.values()].map((one) => one.userId));
        const candidates = sandbox.book.users.filter(
          (user) => !busy.has(user.userId) && !planted.some((one) => one.userId === user.userId) && user.roles.includes('Trader'),
        );
        const user = candidates[Math.floor(random() * candidates.length)];
        if (!user) throw new Error('no user left to plant on');
        plantReportingOnly(user.userId);
        planted.push({ userId: user.userId, hour });
      }
      const { summary, verified } = await verifiedDuring(w, async () => {
        await reconcile({ runId: `day-${hour}`, trigger: { type: 'direct' }, asOf: new Date(sandbox.book.asOf) }, runDeps(w.deps));
        return drain(w);
      });
      if (!summary) throw new Error(`run ${hour} gave no summary`);
      summaries.push(summary);
      for (const userId of verified) {
        const last = lastVerified.get(userId);
        if (last !== undefined) gaps.push(hour - last);
        lastVerified.set(userId, hour);
      }
      for (const user of sandbox.book.users) since.push(hour - (lastVerified.get(user.userId) ?? Number.NEGATIVE_INFINITY));
      const after = await w.store.active();
      const changed = [...after.values()]
        .filter((one) => !before.has(one.id))
        .concat([...before.values()].filter((one) => !after.has(one.id)));
      for (const one of changed) if (one.userId !== '*' && !verified.has(one.userId)) carriedChanges.push(`${hour}: ${one.id}`);
      for (const plant of planted)
        if (plant.foundHour === undefined && [...after.values()].some((one) => one.userId === plant.userId)) plant.foundHour = hour;
    }

    // Every planted change found, within 24 hourly runs of being planted.
    expect(planted.map((plant) => ({ ...plant, late: (plant.foundHour ?? Number.POSITIVE_INFINITY) - plant.hour > 24 }))).toEqual(
      planted.map((plant) => expect.objectContaining({ userId: plant.userId, late: false })),
    );
    // Some were found only when their slot came (not in the run that followed the change): the window did the work.
    expect(planted.some((plant) => (plant.foundHour ?? 0) > plant.hour)).toBe(true);
    // Every user verified in full at least once in every 24 consecutive hourly runs: no gap longer than 24.
    expect(sandbox.book.users.every((user) => lastVerified.has(user.userId))).toBe(true);
    expect(Math.max(...gaps)).toBeLessThanOrEqual(24);
    expect(Math.max(...since)).toBeLessThanOrEqual(23);
    // Nothing opened or resolved for a user the run carried.
    expect(carriedChanges).toEqual([]);
    // After the first run (everyone new), a third or more are carried (the sandbox's own plants keep ~20 of 60 users
    // with open discrepancies, verified every run); each run's summary counts both.
    const later = summaries.slice(2);
    for (const summary of later) {
      expect(summary.verification).toBeDefined();
      expect((summary.verification?.verifiedUsers ?? 0) + (summary.verification?.carriedUsers ?? 0)).toBe(summary.users);
    }
    const carried = later.map((summary) => summary.verification?.carriedUsers ?? 0);
    expect(Math.min(...carried)).toBeGreaterThanOrEqual(USERS / 3);
    expect(summaries[0]?.verification).toMatchObject({ verifiedUsers: summaries[0]?.users, carriedUsers: 0 });
  }, 900_000);
});
