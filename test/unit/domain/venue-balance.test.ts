import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type VenueReading, venueBalanceCheck } from '../../../lib/domain/checks/venue-balance';
import { Amount } from '../../../lib/domain/money';
import { Precision } from '../../../lib/domain/precision';

const a = Amount.parse;
const scales = new Precision(
  new Map([
    ['btc', 8],
    ['usd', 2],
    ['eth', 18],
  ]),
);
const reading = (venueAmount: string, internal: string | undefined, venueScale: number | undefined, asset = 'btc'): VenueReading => ({
  check: 'venue-multimarkets',
  userId: 'u1',
  asset,
  field: 'amount',
  account: 'BRC1/86000001/BTC',
  venueAmount: a(venueAmount),
  venueScale,
  internal: internal === undefined ? undefined : a(internal),
});

describe('venueBalanceCheck', () => {
  it('matches a venue that keeps fewer decimals and truncates', () => {
    expect(venueBalanceCheck(reading('1.23', '1.23999999', 2), scales).outcome).toBe('match');
  });

  it('flags one unit of the coarser scale, with the exact difference and the account in the evidence', () => {
    const verdict = venueBalanceCheck(reading('1.22', '1.23456789', 2), scales);
    expect(verdict).toMatchObject({ outcome: 'mismatch', field: 'amount' });
    if (verdict.outcome !== 'mismatch') throw new Error('expected a mismatch');
    expect(verdict.difference.toString()).toBe('-0.01456789');
    expect(verdict.evidence).toEqual({
      'multimarkets.account': 'BRC1/86000001/BTC',
      'multimarkets.amount': '1.22',
      'multimarkets.scale': '2',
      'reporting.assetAmount': '1.23456789',
    });
  });

  it("judges at the asset's scale when the venue does not state one (INDX)", () => {
    expect(venueBalanceCheck({ ...reading('2.000000000000000001', '2', undefined, 'eth'), check: 'venue-indx' }, scales).outcome).toBe(
      'mismatch',
    );
    expect(venueBalanceCheck({ ...reading('10.5', '10.50', undefined, 'usd'), check: 'venue-indx' }, scales).outcome).toBe('match');
  });

  it('is unknown when Reporting has no such position', () => {
    expect(venueBalanceCheck(reading('1', undefined, 8), scales)).toMatchObject({
      outcome: 'unknown',
      reason: 'position absent from reporting',
    });
  });

  it('matches every truncation of the internal balance and flags one unit below it (property)', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 10n ** 26n }), fc.integer({ min: 0, max: 8 }), (units, digits) => {
        const internal = Amount.of(units, 8);
        const truncated = Amount.of(units / 10n ** BigInt(8 - digits), digits);
        expect(venueBalanceCheck(reading(truncated.toString(), internal.toString(), digits), scales).outcome).toBe('match');
        const short = truncated.minus(Amount.of(1n, digits));
        expect(venueBalanceCheck(reading(short.toString(), internal.toString(), digits), scales).outcome).toBe('mismatch');
      }),
      { numRuns: 1000 },
    );
  });
});
