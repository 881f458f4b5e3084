import { describe, expect, it } from 'vitest';
import { formatOutsideTotals } from '../../../scripts/local/planted-comparison';

describe('formatOutsideTotals', () => {
  const truth = { btc: { users: 2, amount: '7.25' }, eth: { users: 1, amount: '1' } };

  it("prints each asset's holdings outside the totals and says they are as the sandbox holds them", () => {
    expect(formatOutsideTotals(truth, truth)).toEqual([
      '  outside the totals (information): btc 2 users, 7.25',
      '  outside the totals (information): eth 1 users, 1',
      'outside the totals: as the sandbox holds them (2 assets)',
    ]);
  });

  it('says so when the run saw other holdings than the sandbox holds, or none', () => {
    expect(formatOutsideTotals({ btc: { users: 2, amount: '7.2' }, eth: truth.eth }, truth).at(-1)).toContain('differs from the sandbox');
    expect(formatOutsideTotals(undefined, truth)).toContain('  outside the totals (information): btc none');
  });
});
