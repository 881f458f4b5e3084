import { Amount } from '../money';
import type { Precision } from '../precision';
import type { Verdict } from '../verdict';

/** One venue figure and the internal balance it mirrors. */
export interface VenueReading {
  check: 'venue-multimarkets' | 'venue-indx';
  userId: string;
  asset: string;
  /** Which venue figure: `amount` (MultiMarkets), `wmz` or `notes` (INDX). */
  field: string;
  /** The venue account, as the analyst would look it up there. */
  account: string;
  venueAmount: Amount;
  /** Decimals the venue keeps (MultiMarkets `amount_digits`); undefined when the venue does not say. */
  venueScale: number | undefined;
  /** Reporting `assetAmount` of the mirrored user × asset; undefined when Reporting has no such position. */
  internal: Amount | undefined;
}

/**
 * `venue-multimarkets` / `venue-indx`: a venue balance equals the internal balance it mirrors,
 * at the coarser of the two scales. A venue that keeps fewer decimals truncates or rounds, so
 * the two match while they differ by less than one unit of that coarser scale; one unit or more
 * is a discrepancy. Expected is the internal balance, actual the venue's.
 *
 * @example
 * // MultiMarkets amount_digits 2 shows 1.23 for an internal 1.23456789 btc: match (0.00456789 < 0.01)
 * // MultiMarkets 1.22 for the same: mismatch, difference −0.01456789
 */
export function venueBalanceCheck(reading: VenueReading, precision: Precision): Verdict {
  const { check, userId, asset, field, account, venueAmount, venueScale, internal } = reading;
  if (!internal) return { check, outcome: 'unknown', userId, asset, reason: 'position absent from reporting' };
  const assetScale = precision.scale(asset);
  const coarser = venueScale === undefined ? assetScale : assetScale === undefined ? venueScale : Math.min(venueScale, assetScale);
  const difference = venueAmount.minus(internal);
  const tolerance = coarser === undefined ? undefined : Amount.of(1n, coarser);
  const withinScale = tolerance === undefined ? difference.isZero() : difference.abs().compare(tolerance) < 0;
  const matches = withinScale || !precision.differs(check, asset, difference, internal);
  if (matches) return { check, outcome: 'match', userId, asset };
  const venue = check === 'venue-multimarkets' ? 'multimarkets' : 'indx';
  return {
    check,
    outcome: 'mismatch',
    userId,
    asset,
    field,
    expected: internal,
    actual: venueAmount,
    difference,
    evidence: {
      [`${venue}.account`]: account,
      [`${venue}.${field}`]: venueAmount.toString(),
      ...(venueScale === undefined ? {} : { [`${venue}.scale`]: String(venueScale) }),
      'reporting.assetAmount': internal.toString(),
    },
  };
}
