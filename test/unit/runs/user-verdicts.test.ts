import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { OpenOrderRecord } from '../../../lib/domain/checks/locked-orders';
import { Ledger, type TradeRecord, type TransferRecord, tradeFlows, transferFlows } from '../../../lib/domain/ledger';
import { Amount } from '../../../lib/domain/money';
import { Precision } from '../../../lib/domain/precision';
import type { Verdict } from '../../../lib/domain/verdict';
import { SourceError } from '../../../lib/ports/source-error';
import type { BackOfficeAvailable, BackOfficeUserBalances, ReportingBalance } from '../../../lib/ports/upstream';
import { type UserReads, userVerdicts } from '../../../lib/runs/shard/user-verdicts';

/** Assets of the generated books: id, scale, rate to the root asset. */
const ASSETS = [
  { id: 'usd', scale: 2, rate: '1' },
  { id: 'btc', scale: 8, rate: '34148.06931' },
  { id: 'eth', scale: 18, rate: '1873.5521' },
];
const MARKETS = ['btc_usd', 'eth_usd', 'eth_btc'];
const scaleOf = (asset: string) => ASSETS.find((entry) => entry.id === asset)?.scale as number;
const precision = new Precision(new Map(ASSETS.map((asset) => [asset.id, asset.scale])));
const AS_OF = new Date('2026-11-22T00:00:00Z');
const at = (minutesBefore: number) => new Date(AS_OF.getTime() - minutesBefore * 60_000).toISOString();
const units = (scale: number) => fc.bigInt({ min: 1n, max: 10n ** BigInt(scale + 6) }).map((value) => Amount.of(value, scale));

/** A user's history: deposits of every asset (large), then trades and withdrawals small enough never to go negative. */
const historyArbitrary = fc.record({
  deposits: fc.tuple(units(2), units(8), units(18)),
  trades: fc.array(
    fc.record({
      market: fc.constantFrom(...MARKETS),
      side: fc.constantFrom<'Buy' | 'Sell'>('Buy', 'Sell'),
      base: fc.bigInt({ min: 1n, max: 1000n }),
      quote: fc.bigInt({ min: 1n, max: 1000n }),
      fee: fc.bigInt({ min: 0n, max: 10n }),
      cancelled: fc.boolean(),
    }),
    { maxLength: 6 },
  ),
  withdrawals: fc.array(
    fc.record({ asset: fc.constantFrom('usd', 'btc', 'eth'), amount: fc.bigInt({ min: 1n, max: 100n }), pending: fc.boolean() }),
    {
      maxLength: 3,
    },
  ),
  orders: fc.array(
    fc.record({
      market: fc.constantFrom(...MARKETS),
      side: fc.constantFrom<'Buy' | 'Sell'>('Buy', 'Sell'),
      remaining: fc.bigInt({ min: 1n, max: 50n }),
    }),
    {
      maxLength: 3,
    },
  ),
});

/** A generated history. */
type History = typeof historyArbitrary extends fc.Arbitrary<infer T> ? T : never;

/** Builds a consistent user: history rows, and Reporting and back-office balances equal to what that history implies. */
function consistentUser(history: History, userId = 'u1') {
  const transfers: TransferRecord[] = ASSETS.map((asset, index) => ({
    id: `d-${asset.id}`,
    userId,
    assetId: asset.id,
    type: 'Deposit',
    status: 'Completed',
    assetAmount: history.deposits[index] as Amount,
    createdAt: at(10_000),
  }));
  for (const [index, withdrawal] of history.withdrawals.entries()) {
    transfers.push({
      id: `w${index}`,
      userId,
      assetId: withdrawal.asset,
      type: 'Withdrawal',
      status: withdrawal.pending ? 'Pending' : 'Completed',
      assetAmount: Amount.of(withdrawal.amount, scaleOf(withdrawal.asset)),
      createdAt: at(5_000 - index),
    });
  }
  const trades: TradeRecord[] = history.trades.map((trade, index) => {
    const [base, quote] = trade.market.split('_') as [string, string];
    const received = trade.side === 'Buy' ? base : quote;
    return {
      orderId: `o${index}`,
      executionId: `e${index}`,
      userId,
      marketId: trade.market,
      side: trade.side,
      baseAmount: Amount.of(trade.base, scaleOf(base)),
      quoteAmount: Amount.of(trade.quote, scaleOf(quote)),
      executedAt: at(4_000 - index),
      commissionAmount: Amount.of(trade.fee, scaleOf(received)),
      commissionAssetId: received,
    };
  });
  const openOrders: OpenOrderRecord[] = history.orders.map((order, index) => ({
    orderId: `open${index}`,
    marketId: order.market,
    side: order.side,
    remainingAmount: Amount.of(order.remaining, 0),
    limitPrice: Amount.parse('0.5'),
  }));
  const amounts = new Map<string, Amount>(ASSETS.map((asset) => [asset.id, Amount.ZERO]));
  for (const flow of [...transfers.flatMap(transferFlows), ...trades.flatMap(tradeFlows)])
    amounts.set(flow.asset, (amounts.get(flow.asset) as Amount).plus(flow.amount));
  const locked = new Map<string, Amount>(ASSETS.map((asset) => [asset.id, Amount.ZERO]));
  for (const order of openOrders) {
    const [base, quote] = order.marketId.split('_') as [string, string];
    const asset = order.side === 'Buy' ? quote : base;
    const reserve = order.side === 'Buy' ? order.remainingAmount.times(order.limitPrice) : order.remainingAmount;
    locked.set(asset, (locked.get(asset) as Amount).plus(reserve));
  }
  for (const row of transfers.filter((transfer) => transfer.status === 'Pending'))
    locked.set(row.assetId, (locked.get(row.assetId) as Amount).plus(row.assetAmount));
  const balances: ReportingBalance[] = ASSETS.map((asset) => {
    const amount = amounts.get(asset.id) as Amount;
    const lockedAmount = locked.get(asset.id) as Amount;
    const rate = Amount.parse(asset.rate);
    const available = amount.minus(lockedAmount);
    return {
      asset: asset.id,
      amount,
      locked: lockedAmount,
      available,
      rate,
      amountInRoot: amount.times(rate).roundTo(8, 'half-up'),
      lockedInRoot: lockedAmount.times(rate).roundTo(8, 'half-up'),
      availableInRoot: available.times(rate).roundTo(8, 'half-up'),
    };
  });
  const backOffice: BackOfficeUserBalances = {
    userId,
    found: true,
    balances: new Map(balances.map((row) => [row.asset, { amount: row.amount, locked: row.locked, fundsInRoot: row.amountInRoot }])),
    totalFundsInRoot: balances.reduce((total, row) => total.plus(row.amountInRoot as Amount), Amount.ZERO),
  };
  const available = availableOf(userId, balances);
  return { transfers, trades, openOrders, balances, backOffice, available };
}

/** The back office's `GET …/balance/` answer consistent with the balances: each one's available part. */
function availableOf(userId: string, balances: readonly ReportingBalance[]): BackOfficeAvailable {
  return { userId, found: true, available: new Map(balances.map((row) => [row.asset, row.available])) };
}

/** A generated user, whose back office may also not know them. */
type UserFixture = Omit<ReturnType<typeof consistentUser>, 'backOffice'> & { backOffice: BackOfficeUserBalances };

function verdictsOf(user: UserFixture, order: (rows: unknown[]) => void = () => undefined, roles: string[] = ['Trader']): Verdict[] {
  const transfers = [...user.transfers];
  const trades = [...user.trades];
  const openOrders = [...user.openOrders];
  order(transfers);
  order(trades);
  order(openOrders);
  const ledger = new Ledger(AS_OF, 15 * 60_000);
  for (const row of trades) for (const flow of tradeFlows(row)) ledger.add(flow);
  for (const row of transfers) for (const flow of transferFlows(row)) ledger.add(flow);
  const totalInRoot = user.balances.reduce((total, row) => total.plus(row.amountInRoot as Amount), Amount.ZERO);
  const reads: UserReads = {
    user: { userId: 'u1', roles, totalInRoot },
    balances: { ok: true, value: user.balances },
    openOrders: { ok: true, value: openOrders },
    transfers: { ok: true, value: transfers },
    backOffice: { ok: true, value: user.backOffice },
    backOfficeAvailable: { ok: true, value: user.available },
  };
  return userVerdicts(reads, { ledger, tradesComplete: true, precision, asOf: AS_OF });
}

const mismatches = (verdicts: Verdict[]) => verdicts.filter((verdict) => verdict.outcome !== 'match');
const describeVerdicts = (verdicts: Verdict[]) => verdicts.map((verdict) => JSON.stringify(verdict)).sort();

describe('userVerdicts over generated histories', () => {
  it('finds nothing wrong in a consistent user, whatever the history (property)', () => {
    fc.assert(
      fc.property(historyArbitrary, (history) => {
        const user = consistentUser(history);
        if (user.balances.some((row) => row.available.isNegative())) return; // sanity would rightly object
        expect(mismatches(verdictsOf(user))).toEqual([]);
      }),
      { numRuns: 1000 },
    );
  });

  it('gives the same verdicts whatever the order of rows and pages (property)', () => {
    fc.assert(
      fc.property(historyArbitrary, fc.infiniteStream(fc.nat()), (history, randomness) => {
        const user = consistentUser(history);
        const shuffle = (rows: unknown[]) => {
          for (let i = rows.length - 1; i > 0; i--) {
            const j = (randomness.next().value as number) % (i + 1);
            [rows[i], rows[j]] = [rows[j], rows[i]];
          }
        };
        expect(describeVerdicts(verdictsOf(user, shuffle))).toEqual(describeVerdicts(verdictsOf(user)));
      }),
      { numRuns: 1000 },
    );
  });

  it('always catches a balance one unit of its scale away from its history (property)', () => {
    fc.assert(
      fc.property(historyArbitrary, fc.constantFrom(0, 1, 2), fc.boolean(), (history, index, up) => {
        const user = consistentUser(history);
        const row = user.balances[index] as ReportingBalance;
        const unit = Amount.of(up ? 1n : -1n, scaleOf(row.asset));
        user.balances[index] = { ...row, amount: row.amount.plus(unit), available: row.available.plus(unit) };
        const rollForward = verdictsOf(user).find((verdict) => verdict.check === 'roll-forward' && verdict.asset === row.asset);
        expect(rollForward?.outcome).toBe('mismatch');
      }),
      { numRuns: 1000 },
    );
  });

  it('calls a difference explained by a deposit inside the grace window in-flight, and one just before it a mismatch', () => {
    const user = consistentUser({
      deposits: [Amount.parse('100'), Amount.parse('1'), Amount.parse('1')],
      trades: [],
      withdrawals: [],
      orders: [],
    });
    user.transfers.push({
      id: 'late',
      userId: 'u1',
      assetId: 'usd',
      type: 'Deposit',
      status: 'Completed',
      assetAmount: Amount.parse('5'),
      createdAt: at(1),
    });
    const recent = verdictsOf(user).find((verdict) => verdict.check === 'roll-forward' && verdict.asset === 'usd');
    expect(recent).toMatchObject({ outcome: 'in-flight', explainedBy: ['late'] });
    const lateRow = user.transfers.at(-1) as TransferRecord;
    lateRow.createdAt = at(16);
    expect(verdictsOf(user).find((verdict) => verdict.check === 'roll-forward' && verdict.asset === 'usd')?.outcome).toBe('mismatch');
  });

  it('ignores a row dated after the as-of', () => {
    const user = consistentUser({
      deposits: [Amount.parse('100'), Amount.parse('1'), Amount.parse('1')],
      trades: [],
      withdrawals: [],
      orders: [],
    });
    user.transfers.push({
      id: 'future',
      userId: 'u1',
      assetId: 'usd',
      type: 'Deposit',
      status: 'Completed',
      assetAmount: Amount.parse('5'),
      createdAt: at(-60),
    });
    expect(mismatches(verdictsOf(user))).toEqual([]);
  });
});

describe('userVerdicts on presence', () => {
  const holder = () =>
    consistentUser({ deposits: [Amount.parse('100'), Amount.parse('0.5'), Amount.parse('2')], trades: [], withdrawals: [], orders: [] });

  it('finds nothing wrong in a Bot or an Admin holding funds: the reporting totals leave their roles out, as documented', () => {
    for (const roles of [['Bot'], ['Admin'], ['Bot', 'Admin']])
      expect(mismatches(verdictsOf(holder(), undefined, roles)), roles.join()).toEqual([]);
  });

  it('reports a user the back office does not know once per asset Reporting holds, with that amount expected', () => {
    const user = holder();
    const message = 'User with id:u1 not found.';
    const found = mismatches(verdictsOf({ ...user, backOffice: { userId: 'u1', found: false, message } }));
    const presence = found.filter((verdict) => verdict.check === 'presence');
    expect(
      presence.map((verdict) =>
        verdict.outcome === 'mismatch' ? [verdict.asset, verdict.field, verdict.expected.toString(), verdict.actual.toString()] : [],
      ),
    ).toEqual([
      ['usd', 'user-not-found', '100', '0'],
      ['btc', 'user-not-found', '0.5', '0'],
      ['eth', 'user-not-found', '2', '0'],
    ]);
    // cross-source cannot compare with a back office that does not know the user, nor root-asset check its totals: unknown, not a finding
    expect(found.filter((verdict) => verdict.check !== 'presence').map((verdict) => [verdict.check, verdict.outcome])).toEqual([
      ['cross-source', 'unknown'],
      ['root-asset', 'unknown'],
    ]);
  });
});

describe('userVerdicts over the back office', () => {
  const plain = () =>
    consistentUser({ deposits: [Amount.parse('100'), Amount.parse('1'), Amount.parse('1')], trades: [], withdrawals: [], orders: [] });
  const of = (verdicts: Verdict[], check: string, asset: string) =>
    verdicts.find((verdict) => verdict.check === check && verdict.asset === asset);
  const notFound = { userId: 'u1', found: false as const, message: 'GET user/balance answered HTTP 404' };

  it("flags the documents' back office: POST btc amount 100000, locked 0 with GET balance 10 is off by 99990 on backoffice.amount", () => {
    const user = plain();
    // POST example: {"asset": "btc", "amount": "100000", "locked": "0", "fundsInRootAsset": "200000"}; GET example: {"asset": "btc", "balance": 10}.
    const post = user.backOffice.found ? user.backOffice.balances : new Map();
    post.set('btc', { amount: Amount.parse('100000'), locked: Amount.parse('0'), fundsInRoot: Amount.parse('200000') });
    if (user.available.found) user.available.available.set('btc', Amount.parse('10'));
    const split = of(verdictsOf(user), 'amount-split', 'btc');
    expect(split).toMatchObject({ outcome: 'mismatch', field: 'backoffice.amount' });
    if (split?.outcome !== 'mismatch') throw new Error('expected a mismatch');
    expect([split.expected.toString(), split.actual.toString(), split.difference.toString()]).toEqual(['10', '100000', '99990']);
    expect(split.evidence).toMatchObject({ 'backoffice.available': '10', 'reporting.amount': '1' });
  });

  it("is unknown, not a match, on the POST example's user: xmr has no fundsInRootAsset, so its total cannot be checked", () => {
    const user = plain();
    if (!user.backOffice.found) throw new Error('expected a found user');
    user.backOffice.balances.set('xmr', { amount: Amount.parse('10000000'), locked: Amount.parse('0') });
    const totals = of(verdictsOf(user), 'root-asset', '*');
    expect(totals).toMatchObject({ outcome: 'unknown', reason: '1 of 4 backoffice assets lack fundsInRootAsset' });
  });

  it('is unknown when the back office states no totalFundsInRootAsset, and a mismatch when it states a wrong one', () => {
    const user = plain();
    if (!user.backOffice.found) throw new Error('expected a found user');
    const stated = user.backOffice.totalFundsInRoot as Amount;
    user.backOffice.totalFundsInRoot = undefined;
    expect(of(verdictsOf(user), 'root-asset', '*')).toMatchObject({
      outcome: 'unknown',
      reason: 'backoffice states no totalFundsInRootAsset',
    });
    user.backOffice.totalFundsInRoot = stated.plus(Amount.parse('0.00000001'));
    expect(of(verdictsOf(user), 'root-asset', '*')).toMatchObject({ outcome: 'mismatch', field: 'totalFundsInRootAsset' });
  });

  it('always flags a back-office available one unit of its scale away from amount − locked (property)', () => {
    fc.assert(
      fc.property(historyArbitrary, fc.constantFrom(0, 1, 2), fc.boolean(), (history, index, up) => {
        const user = consistentUser(history);
        const asset = (ASSETS[index] as (typeof ASSETS)[number]).id;
        if (!user.available.found) throw new Error('expected a found user');
        const available = user.available.available.get(asset) as Amount;
        user.available.available.set(asset, available.plus(Amount.of(up ? 1n : -1n, scaleOf(asset))));
        expect(of(verdictsOf(user), 'amount-split', asset)).toMatchObject({ outcome: 'mismatch', field: 'backoffice.amount' });
      }),
      { numRuns: 300 },
    );
  });

  it('hands a 404 of GET …/balance/ to presence as a user the back office does not know, and leaves its splits unknown', () => {
    const user = plain();
    user.available = notFound;
    const verdicts = verdictsOf(user);
    expect(verdicts.filter((verdict) => verdict.check === 'presence' && verdict.outcome === 'mismatch').length).toBeGreaterThan(0);
    expect(of(verdicts, 'amount-split', 'btc')).toMatchObject({ outcome: 'unknown', reason: expect.stringContaining('404') });
  });

  it('does not take a 404 alone for an unknown user when POST /balances failed (a wrong URL answers 404 too)', () => {
    const user = plain();
    const ledger = new Ledger(AS_OF, 15 * 60_000);
    for (const row of user.transfers) for (const flow of transferFlows(row)) ledger.add(flow);
    const failure = new SourceError('backoffice', 'balances', 'http-status', 'HTTP 404', { status: 404 });
    const reads: UserReads = {
      user: { userId: 'u1', roles: ['Trader'] },
      balances: { ok: true, value: user.balances },
      openOrders: { ok: true, value: [] },
      transfers: { ok: true, value: user.transfers },
      backOffice: { ok: false, error: failure },
      backOfficeAvailable: { ok: true, value: notFound },
    };
    const verdicts = userVerdicts(reads, { ledger, tradesComplete: true, precision, asOf: AS_OF });
    expect(verdicts.filter((verdict) => verdict.check === 'presence').map((verdict) => verdict.outcome)).toEqual(['unknown']);
    expect(verdicts.filter((verdict) => verdict.check === 'amount-split').map((verdict) => verdict.outcome)).toEqual([
      'unknown',
      'unknown',
      'unknown',
    ]);
  });
});
