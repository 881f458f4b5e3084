import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningSandbox, startSandbox } from '../../../sandbox/server';
import { callSandbox, reportingHeaders } from '../../support/sandbox-http';

describe('users signing up and deleted while the sandbox serves (POST /__sandbox/users, /__sandbox/users/delete)', () => {
  let sandbox: RunningSandbox;
  const call = (path: string, body: unknown) => callSandbox(sandbox.url, 'POST', path, { 'content-type': 'application/json' }, body);
  const report = async (name: string, body: unknown) => {
    const answer = await callSandbox(sandbox.url, 'POST', `/back-api/reporting/reports/data/${name}`, reportingHeaders, body);
    expect(answer.status).toBe(200);
    return answer.json as { paging: { total: number }; data: Record<string, string>[] };
  };
  const listed = async (to?: string) => {
    const filters = to ? [{ entryType: 'DateRange', field: 'CreatedAt', to }] : [];
    const ids: string[] = [];
    for (let page = 1; ; page++) {
      const answer = await report('users', { filters, sort: { field: 'CreatedAt', direction: 'Asc' }, paging: { page, per_page: 15 } });
      ids.push(...answer.data.map((row) => row.userId as string));
      if (answer.data.length === 0 || page * 15 >= answer.paging.total) return ids;
    }
  };
  const btcTotal = async () => (await report('assets-and-balances', {})).data.find((row) => row.assetId === 'btc')?.assetAmount as string;

  beforeAll(async () => {
    sandbox = await startSandbox({ port: 0, users: 20, seed: 5 });
  });
  afterAll(async () => {
    await sandbox?.close();
  });

  it('lists a user who signs up after the as-of only to a listing whose CreatedAt range reaches them (a full timestamp `to` is honoured)', async () => {
    const asOf = sandbox.book.asOf;
    const before = await listed(asOf);
    const created = await call('/__sandbox/users', { count: 2 });
    expect(created.status).toBe(200);
    const [first, second] = created.json.users as { userId: string; createdAt: string }[];
    expect((first?.createdAt ?? '') > asOf).toBe(true);
    expect(await listed(asOf)).toEqual(before);
    // `to` is inclusive to the microsecond: a bound at the new users' instant lists them, one microsecond before does not.
    expect(await listed(first?.createdAt)).toEqual([...before, first?.userId, second?.userId]);
    const justBefore = `${first?.createdAt.slice(0, 20)}${String(Number(first?.createdAt.slice(20, 26)) - 1).padStart(6, '0')}Z`;
    expect(await listed(justBefore)).toEqual(before);
    expect(await listed()).toEqual([...before, first?.userId, second?.userId]);
  });

  it('gives a new user the funds asked in both views, a Completed deposit behind them, and counts them in the asset totals', async () => {
    const total = await btcTotal();
    const created = await call('/__sandbox/users', { count: 1, funds: { btc: '0.5' }, createdAt: '2030-01-01T00:00:00.000001Z' });
    const userId = created.json.users[0].userId as string;
    expect(created.json.users[0].createdAt).toBe('2030-01-01T00:00:00.000001Z');
    const balances = await report('users/balances', { filters: [{ entryType: 'Exact', field: 'UserId', values: [userId] }] });
    expect(balances.data.map((row) => [row.assetId, row.assetAmount, row.availableAssetAmount])).toEqual([['btc', '0.5', '0.5']]);
    const transfers = await report('transfers', { filters: [{ entryType: 'Exact', field: 'UserId', values: [userId] }] });
    expect(transfers.data.map((row) => [row.type, row.status, row.assetAmount])).toEqual([['Deposit', 'Completed', '0.5']]);
    const backOffice = sandbox.book.index.positionsByUser.get(userId)?.[0]?.backOffice.amount;
    expect(backOffice).toBe(50_000_000n);
    expect(Number(await btcTotal()) - Number(total)).toBeCloseTo(0.5, 8);
  });

  it('deletes users from the listing and the asset totals, ignores an id not listed, and refuses a body without userIds', async () => {
    const created = await call('/__sandbox/users', { count: 1, funds: { btc: '2' } });
    const userId = created.json.users[0].userId as string;
    const total = await btcTotal();
    const everyone = await listed();
    const victim = everyone[0] as string;
    const deleted = await call('/__sandbox/users/delete', { userIds: [victim, userId, 'nobody'] });
    expect(deleted.json).toEqual({ deleted: [victim, userId] });
    expect(await listed()).toEqual(everyone.filter((id) => id !== victim && id !== userId));
    expect(Number(total) - Number(await btcTotal())).toBeGreaterThanOrEqual(2);
    expect((await call('/__sandbox/users/delete', { ids: [] })).status).toBe(400);
    expect((await call('/__sandbox/users', { count: 0 })).status).toBe(400);
    expect((await call('/__sandbox/users', { funds: { xyz: '1' } })).status).toBe(400);
  });
});
