import { describe, expect, it } from 'vitest';
import { Amount } from '../../../lib/domain/money';
import { SourceError } from '../../../lib/ports/source-error';
import type { ListedUser, ReportingPort } from '../../../lib/ports/upstream';
import { readAroundLateSignups } from '../../../lib/runs/late-signups';

const AS_OF = '2026-11-22T00:00:00.000Z';
const late = (userId: string, roles = ['Trader']): ListedUser => ({ userId, roles, createdAt: '2026-11-22T00:00:01.000Z' });

/** A listing that answers the looks in turn (the last one again), and balances of 1 btc a user. */
function reporting(looks: ListedUser[][], failBalances = false): Pick<ReportingPort, 'usersPage' | 'userBalances'> & { calls: number } {
  const port = {
    calls: 0,
    usersPage: async () => {
      const users = looks[Math.min(port.calls++, looks.length - 1)] ?? [];
      return { users, total: users.length, pageSize: 15 };
    },
    userBalances: async () => {
      if (failBalances) throw new SourceError('reporting', 'users/balances', 'timeout', 'timed out');
      return [{ asset: 'btc', amount: Amount.parse('1'), locked: Amount.ZERO, available: Amount.parse('1') }];
    },
  };
  return port;
}
const read = (port: ReturnType<typeof reporting>) =>
  readAroundLateSignups(port as unknown as ReportingPort, AS_OF, 50, async () => 'totals');

describe('readAroundLateSignups', () => {
  it('sums the funds of the counted users who signed up after the as-of, leaving a Bot out and a user created at the as-of itself', async () => {
    const atAsOf = { ...late('on-time'), createdAt: AS_OF };
    const result = await read(reporting([[atAsOf, late('t1'), late('t2'), late('bot', ['Bot'])]]));
    expect(result).toEqual({ totals: 'totals', late: { users: 2, sums: { btc: { total: '2', users: 2 } } } });
  });

  it('reads the totals again when someone signed up between the looks, and answers unknown when it keeps happening', async () => {
    const settled = reporting([[], [late('t1')], [late('t1')], [late('t1')]]);
    expect((await read(settled)).late).toEqual({ users: 1, sums: { btc: { total: '1', users: 1 } } });
    expect(settled.calls).toBe(4);
    const busy = reporting([[], [late('a')], [late('a'), late('b')], [late('a'), late('b'), late('c')], [], [late('d')]]);
    expect((await read(busy)).late).toEqual({ unknown: 'users signed up while the asset totals were read' });
  });

  it('answers unknown when more than ten pages signed up or their balances cannot be read', async () => {
    const many = reporting([[late('a')]]);
    many.usersPage = async () => ({ users: [late('a')], total: 400, pageSize: 15 });
    expect((await read(many)).late).toEqual({ unknown: '400 users signed up after the as-of: more than 10 pages' });
    expect((await read(reporting([[late('a')]], true))).late).toEqual({
      unknown: 'the users who signed up after the as-of could not be read (timeout)',
    });
  });
});
