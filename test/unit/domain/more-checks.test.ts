import { describe, expect, it } from 'vitest';
import { assetTotalsCheck, isCounted } from '../../../lib/domain/checks/asset-totals';
import { lockedOrdersCheck, reservationsOf } from '../../../lib/domain/checks/locked-orders';
import { presenceChecks } from '../../../lib/domain/checks/presence';
import { rollForwardCheck } from '../../../lib/domain/checks/roll-forward';
import { rootAssetPositionCheck, rootAssetTotalsCheck } from '../../../lib/domain/checks/root-asset';
import { sanityCheck } from '../../../lib/domain/checks/sanity';
import { Ledger, tradeFlows, transferFlows } from '../../../lib/domain/ledger';
import { Amount } from '../../../lib/domain/money';
import { Precision } from '../../../lib/domain/precision';
import { DEFAULT_SEVERITY_THRESHOLDS, severityOf } from '../../../lib/domain/severity';
import type { Verdict } from '../../../lib/domain/verdict';

const a = Amount.parse;
const precision = new Precision(
  new Map([
    ['usdt', 6],
    ['btc', 8],
    ['eth', 18],
  ]),
);
const asOf = new Date('2026-11-22T00:00:00Z');
const difference = (verdict: Verdict) => (verdict.outcome === 'mismatch' ? verdict.difference.toString() : verdict.outcome);

describe('rollForwardCheck', () => {
  const ledger = () => {
    const book = new Ledger(asOf, 15 * 60_000);
    for (const flow of transferFlows({
      id: 'd1',
      userId: 'u',
      assetId: 'btc',
      type: 'Deposit',
      status: 'Completed',
      assetAmount: a('10'),
      createdAt: '2026-11-01T00:00:00Z',
    }))
      book.add(flow);
    for (const flow of transferFlows({
      id: 'w1',
      userId: 'u',
      assetId: 'btc',
      type: 'Withdrawal',
      status: 'Completed',
      assetAmount: a('3'),
      createdAt: '2026-11-02T00:00:00Z',
    }))
      book.add(flow);
    for (const flow of transferFlows({
      id: 'w2',
      userId: 'u',
      assetId: 'btc',
      type: 'Withdrawal',
      status: 'Failed',
      assetAmount: a('5'),
      createdAt: '2026-11-02T00:00:00Z',
    }))
      book.add(flow);
    const trade = {
      orderId: 'o1',
      executionId: 'x1',
      userId: 'u',
      marketId: 'btc_usdt',
      side: 'Buy' as const,
      baseAmount: a('0.5'),
      quoteAmount: a('15000'),
      executedAt: '2026-11-03T00:00:00Z',
      commissionAmount: a('0.001'),
      commissionAssetId: 'btc',
    };
    for (const flow of tradeFlows(trade)) book.add(flow);
    return book;
  };

  it('matches the history: deposits − completed withdrawals + buys − fees (a failed withdrawal does not count)', () => {
    expect(rollForwardCheck({ userId: 'u', asset: 'btc', balance: a('7.499') }, ledger().get('u', 'btc'), precision).outcome).toBe('match');
    expect(rollForwardCheck({ userId: 'u', asset: 'usdt', balance: a('-15000') }, ledger().get('u', 'usdt'), precision).outcome).toBe(
      'match',
    );
  });

  it('flags a balance the history does not explain, with counts, sums and latest ids per kind', () => {
    const verdict = rollForwardCheck({ userId: 'u', asset: 'btc', balance: a('7.509') }, ledger().get('u', 'btc'), precision);
    expect(difference(verdict)).toBe('0.01');
    if (verdict.outcome !== 'mismatch') throw new Error('expected a mismatch');
    expect(verdict.evidence).toMatchObject({
      'history.total': '7.499',
      'history.deposits.count': '1',
      'history.deposits.sum': '10',
      'history.withdrawals.sum': '-3',
      'history.buys.latest': 'o1/x1',
      'history.fees.sum': '-0.001',
    });
  });
});

describe('lockedOrdersCheck', () => {
  const reservations = reservationsOf(
    [
      { orderId: 'b1', marketId: 'btc_usdt', side: 'Buy', remainingAmount: a('2'), limitPrice: a('30000') },
      { orderId: 's1', marketId: 'eth_btc', side: 'Sell', remainingAmount: a('1.5'), limitPrice: a('0.05') },
    ],
    [{ id: 'w1', assetId: 'usdt', assetAmount: a('100') }],
  );

  it('expects a Buy to lock remaining × limit price of the quote, a Sell its remaining base, a pending withdrawal its amount', () => {
    expect(lockedOrdersCheck({ userId: 'u', asset: 'usdt', locked: a('60100') }, reservations.get('usdt'), precision).outcome).toBe(
      'match',
    );
    expect(lockedOrdersCheck({ userId: 'u', asset: 'eth', locked: a('1.5') }, reservations.get('eth'), precision).outcome).toBe('match');
  });

  it('flags a lock that no order or withdrawal explains, and one an order is missing from', () => {
    expect(difference(lockedOrdersCheck({ userId: 'u', asset: 'btc', locked: a('0.25') }, reservations.get('btc'), precision))).toBe(
      '0.25',
    );
    expect(difference(lockedOrdersCheck({ userId: 'u', asset: 'usdt', locked: a('60000') }, reservations.get('usdt'), precision))).toBe(
      '-100',
    );
  });
});

describe('rootAssetPositionCheck and rootAssetTotalsCheck', () => {
  const row = {
    userId: 'u',
    asset: 'btc',
    amount: a('2'),
    rate: a('30000.5'),
    amountInRoot: a('60001'),
    lockedInRoot: a('1000'),
    availableInRoot: a('59001'),
  };

  /** The reporting document's own `users/balances` example rows (ada, bch). */
  const documentRows = {
    ada: {
      userId: 'a770e6a9-664a-4cf8-d83b-53484ff5a1d6',
      asset: 'ada',
      amount: a('79999.09800'),
      rate: a('0.35316468'),
      amountInRoot: a('28252.85584546'),
      lockedInRoot: a('0.35316468'),
      availableInRoot: a('28252.50268078'),
    },
    bch: {
      userId: 'a770e6a9-664a-4cf8-d83b-53484ff5a1d6',
      asset: 'bch',
      amount: a('80000.001'),
      rate: a('107.87779728'),
      amountInRoot: a('8630223.89027780'),
      lockedInRoot: a('0'),
      availableInRoot: a('8630223.89027780'),
    },
  };

  it("matches the document's example rows, whose figures are the product rounded half-up to 8 decimals", () => {
    // ada: 79999.09800 × 0.35316468 = 28252.8558454586400 → 28252.85584546; bch: 8630223.89027779728 → 8630223.89027780
    expect(rootAssetPositionCheck(documentRows.ada, true).outcome).toBe('match');
    expect(rootAssetPositionCheck(documentRows.bch, true).outcome).toBe('match');
    // a tie rounds up: 0.5 × 0.00000001 = 0.000000005 → 0.00000001
    const tie = { ...row, amount: a('0.5'), rate: a('0.00000001'), lockedInRoot: a('0'), availableInRoot: a('0.00000001') };
    expect(rootAssetPositionCheck({ ...tie, amountInRoot: a('0.00000001') }, true).outcome).toBe('match');
    expect(difference(rootAssetPositionCheck({ ...tie, amountInRoot: a('0') }, true))).toBe('-0.00000001');
  });

  it('states the rounded product as expected, so the difference is what the published figure is off by', () => {
    // truncated instead of rounded: one unit of the 8th decimal off, not a tolerated rounding
    const truncated = rootAssetPositionCheck({ ...documentRows.ada, amountInRoot: a('28252.85584545') }, true);
    expect(truncated).toMatchObject({ outcome: 'mismatch', field: 'assetAmountInRAT' });
    if (truncated.outcome !== 'mismatch') return;
    expect([truncated.expected.toString(), truncated.actual.toString(), truncated.difference.toString()]).toEqual([
      '28252.85584546',
      '28252.85584545',
      '-0.00000001',
    ]);
    // the unrounded product is not what the document publishes either
    const unrounded = rootAssetPositionCheck({ ...documentRows.bch, amountInRoot: a('8630223.89027779728') }, true);
    expect(difference(unrounded)).toBe('-0.00000000272');
    expect(difference(rootAssetPositionCheck({ ...row, amountInRoot: a('60001.01'), availableInRoot: a('59001.01') }, true))).toBe('0.01');
  });

  it('lets locked + available in root asset miss the total by the one unit their own roundings explain, not two', () => {
    // ada's parts: 0.35316468 + 28252.50268078 = 28252.85584546, exactly the total
    const off = (units: string) =>
      rootAssetPositionCheck({ ...documentRows.ada, availableInRoot: a('28252.50268078').plus(a(units)) }, true);
    expect(off('0.00000001').outcome).toBe('match');
    expect(off('-0.00000001').outcome).toBe('match');
    expect(off('0.00000002')).toMatchObject({ outcome: 'mismatch', field: 'splitInRAT' });
    expect(difference(off('-0.00000002'))).toBe('-0.00000002');
  });

  it('flags locked + available in root asset that do not add up, unless amount-split already failed', () => {
    const split = rootAssetPositionCheck({ ...row, availableInRoot: a('59001.00000003') }, true);
    expect(split).toMatchObject({ outcome: 'mismatch', field: 'splitInRAT' });
    expect(rootAssetPositionCheck({ ...row, availableInRoot: a('59001.00000003') }, false).outcome).toBe('match');
  });

  it("compares a user's totals with the sum of their assets, in each source", () => {
    const totals = {
      userId: 'u',
      reportingTotal: a('3.00000001'),
      reportingParts: [a('1'), a('2')],
      backOfficeTotal: a('3'),
      backOfficeParts: [a('1'), a('2')],
    };
    expect(rootAssetTotalsCheck(totals)).toMatchObject({ outcome: 'mismatch', asset: '*', field: 'totalBalanceInRAT' });
    expect(rootAssetTotalsCheck({ ...totals, reportingTotal: a('3'), backOfficeTotal: a('4') })).toMatchObject({
      field: 'totalFundsInRootAsset',
    });
    expect(
      rootAssetTotalsCheck({ ...totals, reportingTotal: a('3'), backOfficeTotal: a('4'), backOfficeParts: [a('1'), undefined] }).outcome,
    ).toBe('unknown');
  });

  it('is unknown, never a match, when a total rule could not run, unless the other rule finds a mismatch', () => {
    const held = {
      userId: 'u',
      reportingTotal: a('3'),
      reportingParts: [a('1'), a('2')],
      backOfficeTotal: a('3'),
      backOfficeParts: [a('1'), a('2')],
    };
    expect(rootAssetTotalsCheck(held).outcome).toBe('match');
    expect(rootAssetTotalsCheck({ ...held, backOfficeTotal: undefined })).toMatchObject({
      outcome: 'unknown',
      reason: 'backoffice states no totalFundsInRootAsset',
    });
    expect(rootAssetTotalsCheck({ ...held, backOfficeUnread: 'unavailable: timeout' })).toMatchObject({
      outcome: 'unknown',
      reason: 'backoffice: unavailable: timeout',
    });
    expect(rootAssetTotalsCheck({ ...held, reportingParts: [a('1'), undefined], backOfficeTotal: undefined })).toMatchObject({
      outcome: 'unknown',
      reason: '1 of 2 reporting assets lack assetAmountInRAT; backoffice states no totalFundsInRootAsset',
    });
    expect(rootAssetTotalsCheck({ ...held, reportingTotal: a('4'), backOfficeUnread: 'user not found in back office' })).toMatchObject({
      outcome: 'mismatch',
      field: 'totalBalanceInRAT',
    });
  });
});

describe('assetTotalsCheck', () => {
  it('counts only Trader, User and Market Maker balances, and flags one wei off', () => {
    expect(isCounted(['Bot'])).toBe(false);
    expect(isCounted(['Admin', 'Market Maker'])).toBe(true);
    const summed = { total: a('3.5'), users: 2 };
    const outside = { total: a('7'), users: 1 };
    expect(assetTotalsCheck('eth', a('3.5'), summed, outside, precision).outcome).toBe('match');
    expect(difference(assetTotalsCheck('eth', a('3.500000000000000001'), summed, outside, precision))).toBe('0.000000000000000001');
  });

  it("keeps the holdings outside the totals in a mismatch's evidence: a difference equal to them points at a role", () => {
    // two traders with 1.5 and 2 btc and a bot with 7: a total of 10.5 counted the bot
    const verdict = assetTotalsCheck('btc', a('10.5'), { total: a('3.5'), users: 2 }, { total: a('7'), users: 1 }, precision);
    expect(verdict).toMatchObject({
      outcome: 'mismatch',
      evidence: {
        'reporting.usersBalances.sum': '3.5',
        'reporting.usersCounted': '2',
        'reporting.outsideTotals.sum': '7',
        'reporting.outsideTotals.users': '1',
      },
    });
    expect(difference(verdict)).toBe('7');
  });
});

describe('presenceChecks', () => {
  const base = { userId: 'u' };
  const outcomes = (verdicts: Verdict[]) =>
    verdicts.map((verdict) => [verdict.asset, verdict.outcome === 'mismatch' ? verdict.field : verdict.outcome]);

  it('flags a non-zero position one source lacks, each way, and leaves zero positions alone', () => {
    const verdicts = presenceChecks({
      ...base,
      reporting: new Map([
        ['btc', a('1')],
        ['eth', a('0')],
      ]),
      backOffice: {
        found: true,
        amounts: new Map([
          ['usdt', a('5')],
          ['eth', a('0')],
        ]),
      },
    });
    expect(outcomes(verdicts)).toEqual([
      ['usdt', 'absent-from-reporting'],
      ['btc', 'absent-from-backoffice'],
      ['*', 'match'],
    ]);
  });

  it('reports a user the back office does not know once per asset Reporting holds, that amount expected and 0 actual', () => {
    const message = 'User with id:u not found.';
    const verdicts = presenceChecks({
      ...base,
      reporting: new Map([
        ['btc', a('1.5')],
        ['usdt', a('2500.25')],
        ['eth', a('0')],
      ]),
      backOffice: { found: false, message },
    });
    expect(outcomes(verdicts)).toEqual([
      ['btc', 'user-not-found'],
      ['usdt', 'user-not-found'],
      ['*', 'match'],
    ]);
    const btc = verdicts[0];
    if (btc?.outcome !== 'mismatch') throw new Error('expected a mismatch');
    expect([btc.expected.toString(), btc.actual.toString(), btc.difference.toString()]).toEqual(['1.5', '0', '-1.5']);
    expect(btc.evidence).toEqual({ 'reporting.assetAmount': '1.5', 'backoffice.error': message });
    expect(difference(verdicts[1] as Verdict)).toBe('-2500.25');
  });

  it('finds nothing for a user whose roles keep them out of the reporting totals: a Bot or an Admin holding funds is documented', () => {
    // presence takes no roles at all: holding funds under any role is not a presence finding
    const holdings = new Map([['btc', a('7')]]);
    const verdicts = presenceChecks({ ...base, reporting: holdings, backOffice: { found: true, amounts: holdings } });
    expect(outcomes(verdicts)).toEqual([['*', 'match']]);
  });

  it('says nothing when either source could not be read (the caller makes it unknown)', () => {
    expect(presenceChecks({ ...base, reporting: undefined, backOffice: { found: false, message: 'x' } })).toEqual([]);
    expect(presenceChecks({ ...base, reporting: new Map([['btc', a('1')]]), backOffice: undefined })).toEqual([]);
  });
});

describe('sanityCheck', () => {
  it('flags a negative available part when a sell order reserves more than the balance', () => {
    const verdict = sanityCheck({ userId: 'u', asset: 'btc', amount: a('10'), locked: a('12'), available: a('-2') });
    expect(verdict).toMatchObject({ outcome: 'mismatch', field: 'available' });
    expect(difference(verdict)).toBe('-2');
  });

  it('flags a negative amount first, and locked above the amount when nothing is negative', () => {
    expect(sanityCheck({ userId: 'u', asset: 'btc', amount: a('-1'), locked: a('0'), available: a('-1') })).toMatchObject({
      field: 'amount',
    });
    expect(sanityCheck({ userId: 'u', asset: 'btc', amount: a('1'), locked: a('2'), available: a('0') })).toMatchObject({
      field: 'locked',
    });
    expect(sanityCheck({ userId: 'u', asset: 'btc', amount: a('1'), locked: a('1'), available: a('0') }).outcome).toBe('match');
  });
});

describe('severityOf and tolerances', () => {
  it('grades a difference by its value in the root asset', () => {
    expect(severityOf(a('99.99'), DEFAULT_SEVERITY_THRESHOLDS)).toBe('low');
    expect(severityOf(a('-250'), DEFAULT_SEVERITY_THRESHOLDS)).toBe('medium');
    expect(severityOf(a('1000000'), DEFAULT_SEVERITY_THRESHOLDS)).toBe('critical');
    expect(severityOf(undefined, DEFAULT_SEVERITY_THRESHOLDS)).toBe('medium');
  });

  it('widens a check by the most specific tolerance configured', () => {
    const wide = new Precision(
      new Map([['btc', 8]]),
      new Map([
        ['roll-forward|*', { absolute: a('0.001') }],
        ['roll-forward|btc', { relative: a('0.01') }],
      ]),
    );
    expect(wide.differs('roll-forward', 'btc', a('0.5'), a('100'))).toBe(false);
    expect(wide.differs('roll-forward', 'btc', a('1.5'), a('100'))).toBe(true);
    expect(wide.differs('roll-forward', 'eth', a('0.0005'), a('100'))).toBe(false);
    expect(wide.differs('cross-source', 'btc', a('0.00000001'), a('100'))).toBe(true);
  });
});
