import { describe, expect, it } from 'vitest';
import { BreakTally, breakTotals } from '../../../lib/domain/break-totals';

describe('breakTotals', () => {
  it('sums |differenceInRoot| exactly per severity and per check, beyond 2^53 and at 18 decimals', () => {
    const totals = breakTotals('usd', [
      { severity: 'critical', check: 'cross-source', differenceInRoot: '9007199254740993.000000000000000001' },
      { severity: 'critical', check: 'sanity', differenceInRoot: '-0.000000000000000001' },
    ]);
    expect(totals.rootAsset).toBe('usd');
    expect(totals.bySeverity.critical).toEqual({ count: 2, value: '9007199254740993.000000000000000002', unpriced: 0 });
    expect(totals.byCheck['cross-source']).toEqual({ count: 1, value: '9007199254740993.000000000000000001', unpriced: 0 });
    expect(totals.byCheck.sanity).toEqual({ count: 1, value: '0.000000000000000001', unpriced: 0 });
  });

  it('counts a break without a root-asset value as unpriced, adding nothing to the value', () => {
    const tally = new BreakTally('usd');
    tally.add({ severity: 'medium', check: 'presence' });
    tally.add({ severity: 'medium', check: 'presence', differenceInRoot: '2.5' });
    expect(tally.totals().bySeverity.medium).toEqual({ count: 2, value: '2.5', unpriced: 1 });
  });

  it('gives every severity and every check a group, zero when empty, severities in rising order', () => {
    const totals = breakTotals('usdt', []);
    expect(Object.keys(totals.bySeverity)).toEqual(['low', 'medium', 'high', 'critical']);
    expect(totals.byCheck['roll-forward']).toEqual({ count: 0, value: '0', unpriced: 0 });
    expect(Object.keys(totals.byCheck)).toHaveLength(10);
  });
});
