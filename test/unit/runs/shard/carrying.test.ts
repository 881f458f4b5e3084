import { describe, expect, it } from 'vitest';
import { Precision } from '../../../../lib/domain/precision';
import type { BackOfficePort, ReportingPort } from '../../../../lib/ports/upstream';
import { startOf } from '../../../../lib/runs/listing-cursor';
import { checkPage } from '../../../../lib/runs/shard/check-page';
import { readPage } from '../../../../lib/runs/shard/read-page';
import { totalsKey } from '../../../../lib/runs/shard/totals-ahead';
import { AS_OF, backOfficeOf, type Faults, MemoryHistory, planOf, readContextOf, reportingOf } from './shard-book';

const USERS = 3;
/** The second run, one second after the first: no user's slot can come in between. */
const NEXT = new Date(Date.parse(AS_OF) + 1000).toISOString();

/** Reporting with each user's `users/balances` calls counted. */
function counting(reporting: ReportingPort) {
  const balancesOf: string[] = [];
  const port: ReportingPort = {
    ...reporting,
    userBalances: (userId) => {
      balancesOf.push(userId);
      return reporting.userBalances(userId);
    },
  };
  return { port, balancesOf };
}

/** Stand-ins for the joined sources: each cheap read through them is recorded by name. */
function recordingJoined(reporting: ReportingPort, backOffice: BackOfficePort, calls: string[]) {
  return {
    reporting: {
      ...reporting,
      transfers: (...args: Parameters<ReportingPort['transfers']>) => {
        calls.push('transfers');
        return reporting.transfers(...args);
      },
    },
    backOffice: {
      ...backOffice,
      balances: (...args: Parameters<BackOfficePort['balances']>) => {
        calls.push('balances');
        return backOffice.balances(...args);
      },
    },
  };
}

/** One page of every user read and checked at `asOf`, users selected (a 24-hour window), totals in `history`. */
async function run(
  history: MemoryHistory,
  asOf: string,
  options: { faults?: Faults; active?: string[]; backOffice?: BackOfficePort; joinedCalls?: string[] } = {},
) {
  const plan = planOf(USERS, USERS, { asOf });
  const reporting = counting(reportingOf(USERS, options.faults));
  const backOffice = options.backOffice ?? backOfficeOf(options.faults);
  const context = readContextOf(plan, reporting.port, backOffice, history);
  if (options.joinedCalls) context.joined = recordingJoined(reporting.port, backOffice, options.joinedCalls);
  context.history = { ...context.history, asOf: new Date(asOf) };
  context.incremental = { now: Date.parse(asOf), windowMs: 24 * 3_600_000, hasActive: (userId) => (options.active ?? []).includes(userId) };
  const listing = await context.reporting.usersPage({ to: asOf }, 1, USERS);
  const step = { fresh: listing.users, next: undefined, notes: [], broken: false };
  const read = await readPage({ kind: 'listed', page: 1, at: startOf({}), step }, context);
  if (read.kind === 'end') throw new Error('unexpected end');
  const page = checkPage(read, { precision: new Precision(new Map([['btc', 8]])), asOf: new Date(asOf), until: asOf });
  if (page.history?.next) await history.save(new Map([[totalsKey(USERS, 1, 1), page.history.next]]));
  return { page, balancesOf: reporting.balancesOf };
}

describe('a page whose users are selected (FULL_VERIFY_HOURS > 0)', () => {
  it('verifies every new user in full and stores what each verification saw', async () => {
    const history = new MemoryHistory();
    const { page, balancesOf } = await run(history, AS_OF);
    expect(balancesOf.sort()).toEqual(['u1', 'u2', 'u3']);
    expect(page.verification).toMatchObject({ verifiedUsers: 3, carriedUsers: 0 });
    expect(page.verification?.oldestVerifiedAt).toBeUndefined();
    const stored = history.chunks.get(totalsKey(USERS, 1, 1))?.users.u2?.verified;
    expect(stored).toMatchObject({ at: Date.parse(AS_OF), backOffice: { btc: ['1', '0'] }, reporting: { btc: '1' } });
    expect(stored?.checks['cross-source']).toBe(1);
  });

  it('joins the cheap reads of a page whose users may be carried, not of one whose users are verified in full anyway', async () => {
    const history = new MemoryHistory();
    const joinedCalls: string[] = [];
    await run(history, AS_OF, { joinedCalls });
    // Every user new: the per-user reads are most of the page's calls, its cheap reads go straight out.
    expect(joinedCalls).toEqual([]);
    await run(history, NEXT, { joinedCalls });
    expect(joinedCalls.sort()).toEqual(['balances', 'transfers']);
    joinedCalls.length = 0;
    // Two of three with an open discrepancy: verified in full, the cheap reads straight out again.
    await run(history, NEXT, { joinedCalls, active: ['u1', 'u2'] });
    expect(joinedCalls).toEqual([]);
  });

  it('carries quiet users: no per-user read, no verdict, counted per check as carried with their stored figures', async () => {
    const history = new MemoryHistory();
    const first = await run(history, AS_OF);
    const { page, balancesOf } = await run(history, NEXT);
    expect(balancesOf).toEqual([]);
    expect(page.verdicts).toEqual([]);
    expect(page).toMatchObject({ users: 3, positions: 3, sumsIncomplete: false });
    expect(page.counted.flat().map((row) => [row.asset, row.amount.toString()])).toEqual([
      ['btc', '1'],
      ['btc', '1'],
      ['btc', '1'],
    ]);
    expect(page.verification).toMatchObject({ verifiedUsers: 0, carriedUsers: 3, oldestVerifiedAt: new Date(AS_OF).toISOString() });
    for (const [check, counts] of Object.entries(first.page.verification?.perCheck ?? {}))
      expect(page.verification?.perCheck[check as keyof typeof page.verification.perCheck]).toEqual({
        verified: 0,
        carried: counts.verified,
      });
    // Nothing changed: the stored totals (and records) stay as they are, no write.
    expect(page.history?.next).toBeUndefined();
  });

  it('verifies the user whose back-office figures changed, and finds its difference; the others stay carried', async () => {
    const history = new MemoryHistory();
    await run(history, AS_OF);
    const { page, balancesOf } = await run(history, NEXT, { faults: { mismatch: true } });
    expect(balancesOf).toEqual(['u2']);
    expect(page.verdicts.every((verdict) => verdict.userId === 'u2')).toBe(true);
    expect(page.verdicts.some((verdict) => verdict.check === 'cross-source' && verdict.outcome === 'mismatch')).toBe(true);
    expect(page.verification).toMatchObject({ verifiedUsers: 1, carriedUsers: 2 });
    // u2's record is the new verification's; u1's the first run's.
    expect(page.history?.next?.users.u2?.verified).toMatchObject({ at: Date.parse(NEXT), backOffice: { btc: ['2', '0'] } });
    expect(page.history?.next?.users.u1?.verified?.at).toBe(Date.parse(AS_OF));
  });

  it('verifies a user with an active discrepancy in every run', async () => {
    const history = new MemoryHistory();
    await run(history, AS_OF);
    const { balancesOf } = await run(history, NEXT, { active: ['u3'] });
    expect(balancesOf).toEqual(['u3']);
  });

  it('verifies everyone when a cheap read fails, and keeps a failed verification needed for the next run', async () => {
    const history = new MemoryHistory();
    await run(history, AS_OF);
    const failing = await run(history, NEXT, { faults: { balancesOf: 'u1', backOffice: true } });
    expect(failing.balancesOf.sort()).toEqual(['u1', 'u2', 'u3']);
    expect(failing.page.verification).toMatchObject({ verifiedUsers: 3, carriedUsers: 0 });
    expect(failing.page.history?.next?.users.u1?.verified).toMatchObject({ at: Date.parse(AS_OF), retry: true });
    // Every read failed somewhere: each user's last record stands, marked to be verified again.
    const at = (ms: number) => new Date(Date.parse(AS_OF) + ms).toISOString();
    const retried = await run(history, at(2000));
    expect(retried.balancesOf.sort()).toEqual(['u1', 'u2', 'u3']);
    expect((await run(history, at(3000))).balancesOf).toEqual([]);
  });
});
