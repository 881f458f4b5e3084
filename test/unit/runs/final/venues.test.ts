import { describe, expect, it } from 'vitest';
import type { VenuePorts } from '../../../../lib/ports/venues';
import { scopedVenues } from '../../../../lib/runs/final/venues';

const multiMarkets = { balance: () => Promise.reject(new Error('not read here')) };
const indx: NonNullable<VenuePorts['indx']> = { balance: () => Promise.reject(new Error('not read here')) };
const venues: VenuePorts = {
  accounts: {
    multimarkets: [
      { thirdServerCode: 'T1', userName: '86000001', currency: 'USDT', userId: 'u1', asset: 'usdt' },
      { thirdServerCode: 'T1', userName: '86000002', currency: 'USDT', userId: 'u2', asset: 'usdt' },
    ],
    indx: [{ wmid: '111111111111', userId: 'u2', wmz: 'usd', culture: 'en-EN', instruments: [] }],
  },
  multiMarkets,
  indx,
};

describe('scopedVenues', () => {
  it('reads every venue and account of a run without a scope', () => {
    expect(scopedVenues(venues, undefined)).toBe(venues);
  });

  it("reads only the accounts of a scope's users", () => {
    const scoped = scopedVenues(venues, { users: ['u1'] });
    expect(scoped?.accounts.multimarkets.map((account) => account.userId)).toEqual(['u1']);
    expect(scoped?.accounts.indx).toEqual([]);
    expect(scoped).toMatchObject({ multiMarkets, indx });
  });

  it('reads only the venues the scope names as sources, and only those whose check it includes', () => {
    expect(scopedVenues(venues, { sources: ['indx'] })).not.toHaveProperty('multiMarkets');
    expect(scopedVenues(venues, { sources: ['indx'] })).toHaveProperty('indx', indx);
    const checks = scopedVenues(venues, { checks: ['venue-multimarkets'] });
    expect(checks).toHaveProperty('multiMarkets', multiMarkets);
    expect(checks).not.toHaveProperty('indx');
    expect(scopedVenues(venues, { checks: ['cross-source'] })).toEqual({ accounts: venues.accounts });
  });
});
