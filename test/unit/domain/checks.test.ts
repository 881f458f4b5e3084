import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { amountSplitCheck, SPLIT_FIELDS } from '../../../lib/domain/checks/amount-split';
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
  const figures = (amount: string, locked: string, available: string) => ({
    amount: a(amount),
    locked: a(locked),
    available: a(available),
  });

  it('matches 79999.098000000000000001 split into 1 locked and 79998.098000000000000001 available', () => {
    const verdict = amountSplitCheck(
      { userId: 'u1', asset: 'eth', reporting: figures('79999.098000000000000001', '1', '79998.098000000000000001') },
      scales,
    );
    expect(verdict.outcome).toBe('match');
  });

  it('flags a Reporting total off by 0.000000000000000001 on an 18-decimal asset, with the exact difference', () => {
    const verdict = amountSplitCheck(
      { userId: 'u1', asset: 'eth', reporting: figures('79999.098000000000000002', '1', '79998.098000000000000001') },
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
      { userId: 'u1', asset: 'usd', reporting: figures('9007199254740993.01', '0', '9007199254740993') },
      scales,
    );
    expect(verdict.outcome).toBe('mismatch');
  });

  it("judges the documents' back office: POST btc amount 100000, locked 0 against GET balance 10 is off by 99990; 100000 matches", () => {
    const post = { amount: a('100000'), locked: a('0') };
    const off = amountSplitCheck({ userId: 'u1', asset: 'btc', backOffice: { ...post, available: a('10') } }, scales);
    expect(off).toMatchObject({ outcome: 'mismatch', field: 'backoffice.amount' });
    if (off.outcome !== 'mismatch') throw new Error('expected a mismatch');
    expect([off.expected.toString(), off.actual.toString(), off.difference.toString()]).toEqual(['10', '100000', '99990']);
    expect(off.evidence).toEqual({ 'backoffice.amount': '100000', 'backoffice.locked': '0', 'backoffice.available': '10' });
    expect(amountSplitCheck({ userId: 'u1', asset: 'btc', backOffice: { ...post, available: a('100000') } }, scales).outcome).toBe('match');
  });

  it("makes one verdict of both sources: the one that is off, with both sources' figures as evidence", () => {
    const verdict = amountSplitCheck(
      { userId: 'u1', asset: 'btc', reporting: figures('2', '0.5', '1.5'), backOffice: figures('2', '0.5', '1.49999999') },
      scales,
    );
    expect(verdict).toMatchObject({ outcome: 'mismatch', field: 'backoffice.amount' });
    if (verdict.outcome !== 'mismatch') throw new Error('expected a mismatch');
    expect(verdict.difference.toString()).toBe('0.00000001');
    expect(verdict.evidence).toMatchObject({ 'reporting.available': '1.5', 'backoffice.available': '1.49999999' });
  });

  it('is unknown, with the reason, when a source holding the position could not be judged and none is off', () => {
    const verdict = amountSplitCheck(
      { userId: 'u1', asset: 'btc', reporting: figures('2', '0.5', '1.5'), backOffice: { unknown: 'GET …/balance/ unavailable: timeout' } },
      scales,
    );
    expect(verdict).toEqual({
      check: 'amount-split',
      outcome: 'unknown',
      userId: 'u1',
      asset: 'btc',
      reason: 'backoffice: GET …/balance/ unavailable: timeout',
    });
    const off = amountSplitCheck(
      { userId: 'u1', asset: 'btc', reporting: figures('2', '0.5', '1'), backOffice: { unknown: 'failed' } },
      scales,
    );
    expect(off).toMatchObject({ outcome: 'mismatch', field: 'assetAmount', evidence: { 'backoffice.unknown': 'failed' } });
  });

  /** A consistent split at the asset's scale. */
  const consistent = (scale: number) =>
    fc.tuple(amountAt(scale), amountAt(scale)).map(([locked, available]) => ({ amount: locked.plus(available), locked, available }));
  const positions = fc.constantFrom('eth', 'usd', 'btc').chain((asset) => {
    const scale = scales.scale(asset) as number;
    return fc.record({ asset: fc.constant(asset), reporting: fc.option(consistent(scale)), backOffice: fc.option(consistent(scale)) });
  });

  it('never flags a position every source holding it splits consistently (property)', () => {
    fc.assert(
      fc.property(positions, ({ asset, reporting, backOffice }) => {
        const position = { userId: 'u', asset, ...(reporting && { reporting }), ...(backOffice && { backOffice }) };
        expect(amountSplitCheck(position, scales).outcome).toBe('match');
      }),
      { numRuns: 1000 },
    );
  });

  it("always flags one unit of the asset's scale on either source, whatever the other says (property)", () => {
    fc.assert(
      fc.property(
        fc.constantFrom('eth', 'usd', 'btc'),
        fc.constantFrom<'reporting' | 'backOffice'>('reporting', 'backOffice'),
        fc.boolean(),
        fc.nat(),
        fc.constantFrom<'consistent' | 'unknown' | 'absent'>('consistent', 'unknown', 'absent'),
        (asset, source, up, seed, other) => {
          const scale = scales.scale(asset) as number;
          const locked = Amount.of(BigInt(seed) * 7919n, scale);
          const available = Amount.of(BigInt(seed) * 104729n + 10n ** 20n, scale);
          const unit = Amount.of(up ? 1n : -1n, scale);
          const otherSide =
            other === 'absent'
              ? undefined
              : other === 'unknown'
                ? { unknown: 'failed' }
                : { amount: locked.plus(available), locked, available };
          const sides = { [source]: { amount: locked.plus(available).plus(unit), locked, available } };
          const otherSource = source === 'reporting' ? 'backOffice' : 'reporting';
          const verdict = amountSplitCheck({ userId: 'u', asset, ...sides, ...(otherSide && { [otherSource]: otherSide }) }, scales);
          expect(verdict).toMatchObject({ outcome: 'mismatch', field: SPLIT_FIELDS[source] });
        },
      ),
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
