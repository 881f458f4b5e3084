import { describe, expect, it } from 'vitest';
import { Precision } from '../../../../lib/domain/precision';
import { assetTotalsVerdict } from '../../../../lib/runs/final/asset-totals';
import { planOf, tallyOf } from './fixtures';

const precision = new Precision(new Map([['btc', 8]]));
const btc = { assetId: 'btc', scale: 8, total: '3.5' };

describe('assetTotalsVerdict', () => {
  it('matches when the counted users hold what Reporting reports, the holdings outside the totals left out', () => {
    expect(assetTotalsVerdict(btc, planOf(), tallyOf(), precision)).toMatchObject({
      check: 'asset-totals',
      outcome: 'match',
      asset: 'btc',
    });
  });

  it('finds a mismatch of the difference when the reported total is off', () => {
    const verdict = assetTotalsVerdict({ ...btc, total: '3.6' }, planOf(), tallyOf(), precision);
    expect(verdict).toMatchObject({ outcome: 'mismatch', field: 'assetAmount' });
    expect(verdict.outcome === 'mismatch' && [verdict.expected, verdict.actual, verdict.difference].map(String)).toEqual([
      '3.5',
      '3.6',
      '0.1',
    ]);
  });

  it('takes the funds of users who signed up after the as-of out of the reported total', () => {
    const plan = planOf({ late: { users: 1, sums: { btc: { users: 1, total: '0.1' } } } });
    expect(assetTotalsVerdict({ ...btc, total: '3.6' }, plan, tallyOf(), precision).outcome).toBe('match');
  });

  it.each([
    ['a counted user could not be read', planOf(), tallyOf({ assetSumsComplete: false }), 'not every counted user could be read'],
    [
      'the listing moved during the run',
      planOf(),
      tallyOf({ listingMoved: ['page 2 came short'] }),
      'not every counted user could be read',
    ],
    ['the run read only some users', planOf({ scope: { users: ['u1'] } }), tallyOf(), 'not every counted user could be read'],
    [
      'the listing held other users when read than when planned',
      planOf(),
      tallyOf({ listed: 1 }),
      'the listing held 2 users up to the as-of when planned, 1 when read',
    ],
    ['the late sign-ups could not be accounted for', planOf({ late: { unknown: 'the listing moved' } }), tallyOf(), 'the listing moved'],
  ])('is unknown, never a mismatch, when %s', (_, plan, merged, reason) => {
    expect(assetTotalsVerdict({ ...btc, total: '9' }, plan, merged, precision)).toEqual({
      check: 'asset-totals',
      outcome: 'unknown',
      userId: '*',
      asset: 'btc',
      reason,
    });
  });

  it("is unknown when Reporting's total moved while the users were read", () => {
    const verdict = assetTotalsVerdict({ ...btc, total: '9' }, planOf(), tallyOf(), precision, 'btc moved from 9 to 9.5');
    expect(verdict).toMatchObject({ outcome: 'unknown', reason: 'btc moved from 9 to 9.5' });
  });

  it('counts an asset no counted user holds as zero', () => {
    const verdict = assetTotalsVerdict({ assetId: 'eth', scale: 18, total: '0' }, planOf(), tallyOf(), precision);
    expect(verdict.outcome).toBe('match');
  });
});
