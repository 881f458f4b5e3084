import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { amountSplitCheck } from '../../../lib/domain/checks/amount-split';
import { crossSourceCheck } from '../../../lib/domain/checks/cross-source';
import { Amount } from '../../../lib/domain/money';
import { Precision } from '../../../lib/domain/precision';
import { exceedsScale } from '../../../lib/domain/scale';

const a = Amount.parse;
const scales = new Precision(
  new Map([
    ['eth', 18],
    ['usd', 2],
    ['btc', 8],
  ]),
);

/** A random non-negative amount of exactly `scale` decimals, up to ~10^21 whole units (well above 2^53). */
const amountAt = (scale: number) => fc.bigInt({ min: 0n, max: 10n ** BigInt(21 + scale) }).map((units) => Amount.of(units, scale));

describe('exceedsScale', () => {
  it('counts one unit of an 18-decimal asset and ignores what rounds away at scale 2', () => {
    expect(exceedsScale(a('0.000000000000000001'), 18)).toBe(true);
    expect(exceedsScale(a('0.004'), 2)).toBe(false);
    expect(exceedsScale(a('0.006'), 2)).toBe(true);
    expect(exceedsScale(a('0'), undefined)).toBe(false);
    expect(exceedsScale(a('0.000000000000000000001'), undefined)).toBe(true);
  });
});

describe('amountSplitCheck', () => {
  it('matches 79999.098000000000000001 split into 1 locked and 79998.098000000000000001 available', () => {
    const verdict = amountSplitCheck(
      { userId: 'u1', asset: 'eth', amount: a('79999.098000000000000001'), locked: a('1'), available: a('79998.098000000000000001') },
      scales,
    );
    expect(verdict.outcome).toBe('match');
  });

  it('flags a total off by 0.000000000000000001 on an 18-decimal asset, with the exact difference', () => {
    const verdict = amountSplitCheck(
      { userId: 'u1', asset: 'eth', amount: a('79999.098000000000000002'), locked: a('1'), available: a('79998.098000000000000001') },
      scales,
    );
    expect(verdict).toMatchObject({ outcome: 'mismatch', field: 'assetAmount' });
    if (verdict.outcome !== 'mismatch') throw new Error('expected a mismatch');
    expect(verdict.difference.toString()).toBe('0.000000000000000001');
    expect(verdict.expected.toString()).toBe('79999.098000000000000001');
    expect(verdict.evidence['reporting.available']).toBe('79998.098000000000000001');
  });

  it('flags a value above 2^53 off by one unit of its scale', () => {
    const verdict = amountSplitCheck(
      { userId: 'u1', asset: 'usd', amount: a('9007199254740993.01'), locked: a('0'), available: a('9007199254740993') },
      scales,
    );
    expect(verdict.outcome).toBe('mismatch');
  });

  it('never flags a consistent balance (property)', () => {
    fc.assert(
      fc.property(amountAt(18), amountAt(18), (locked, available) => {
        const amount = locked.plus(available);
        expect(amountSplitCheck({ userId: 'u', asset: 'eth', amount, locked, available }, scales).outcome).toBe('match');
      }),
      { numRuns: 1000 },
    );
  });

  it('always flags a balance one unit of its scale off (property)', () => {
    fc.assert(
      fc.property(fc.constantFrom('eth', 'usd', 'btc'), fc.boolean(), fc.nat(), (asset, up, seed) => {
        const scale = scales.scale(asset) as number;
        const locked = Amount.of(BigInt(seed) * 7919n, scale);
        const available = Amount.of(BigInt(seed) * 104729n + 10n ** 20n, scale);
        const unit = Amount.of(up ? 1n : -1n, scale);
        const verdict = amountSplitCheck({ userId: 'u', asset, amount: locked.plus(available).plus(unit), locked, available }, scales);
        expect(verdict.outcome).toBe('mismatch');
      }),
      { numRuns: 1000 },
    );
  });
});

describe('crossSourceCheck', () => {
  const pair = (backOffice: [string, string], reporting: [string, string], asset = 'btc') => ({
    userId: 'u1',
    asset,
    backOffice: { amount: a(backOffice[0]), locked: a(backOffice[1]) },
    reporting: { amount: a(reporting[0]), locked: a(reporting[1]) },
  });

  it('matches when both sources agree, whatever their trailing zeros', () => {
    expect(crossSourceCheck(pair(['1.50000000', '0'], ['1.5', '0.0']), scales).outcome).toBe('match');
  });

  it('flags a back-office amount that differs from Reporting, expected being Reporting', () => {
    const verdict = crossSourceCheck(pair(['2.00000001', '0.5'], ['2', '0.5']), scales);
    expect(verdict).toMatchObject({ outcome: 'mismatch', field: 'amount' });
    if (verdict.outcome !== 'mismatch') throw new Error('expected a mismatch');
    expect([verdict.expected.toString(), verdict.actual.toString(), verdict.difference.toString()]).toEqual([
      '2',
      '2.00000001',
      '0.00000001',
    ]);
    expect(verdict.evidence).toEqual({
      'backoffice.amount': '2.00000001',
      'backoffice.locked': '0.5',
      'reporting.assetAmount': '2',
      'reporting.lockedAssetAmount': '0.5',
    });
  });

  it('flags a locked amount that differs while the totals agree', () => {
    const verdict = crossSourceCheck(pair(['2', '0.7'], ['2', '0.5']), scales);
    expect(verdict).toMatchObject({ outcome: 'mismatch', field: 'locked' });
  });

  it('is unknown, not a mismatch, when one source lacks the position', () => {
    const verdict = crossSourceCheck(
      { userId: 'u1', asset: 'btc', backOffice: undefined, reporting: { amount: a('1'), locked: a('0') } },
      scales,
    );
    expect(verdict).toMatchObject({ outcome: 'unknown', reason: 'position absent from backoffice' });
  });

  it('never flags identical figures and always flags one unit of difference (property)', () => {
    fc.assert(
      fc.property(amountAt(18), amountAt(18), fc.boolean(), (amount, locked, shiftLocked) => {
        expect(
          crossSourceCheck({ userId: 'u', asset: 'eth', backOffice: { amount, locked }, reporting: { amount, locked } }, scales).outcome,
        ).toBe('match');
        const unit = Amount.of(1n, 18);
        const shifted = shiftLocked ? { amount, locked: locked.plus(unit) } : { amount: amount.plus(unit), locked };
        expect(crossSourceCheck({ userId: 'u', asset: 'eth', backOffice: shifted, reporting: { amount, locked } }, scales).outcome).toBe(
          'mismatch',
        );
      }),
      { numRuns: 1000 },
    );
  });
});
