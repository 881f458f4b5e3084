import { assetById } from './assets';
import type { Amounts, Position, ReportingAmounts } from './book-types';
import { type Decimal, parseDecimal, toRootAsset } from './decimal';

const RATE_CACHE = new Map<string, Decimal>();

/** The asset's rate to the root asset as an exact decimal. */
export function rateOf(asset: string): Decimal {
  let rate = RATE_CACHE.get(asset);
  if (!rate) {
    rate = parseDecimal(assetById(asset).rateToRootAsset);
    RATE_CACHE.set(asset, rate);
  }
  return rate;
}

/** The back-office view of a truth: identical amounts (planters may later alter it). */
export function backOfficeView(truth: Amounts): Amounts {
  return { amount: truth.amount, locked: truth.locked, available: truth.available };
}

/** The reporting view of a truth, with the `*InRAT` conversions computed from its amounts. */
export function reportingView(truth: Amounts, asset: string, scale: number): ReportingAmounts {
  const view: ReportingAmounts = {
    assetAmount: truth.amount,
    lockedAssetAmount: truth.locked,
    availableAssetAmount: truth.available,
    assetAmountInRAT: 0n,
    lockedAssetAmountInRAT: 0n,
    availableAssetAmountInRAT: 0n,
    rateToRootAsset: assetById(asset).rateToRootAsset,
  };
  refreshReportingRat(view, asset, scale);
  return view;
}

/** Recomputes the `*InRAT` fields of a reporting view from its amounts (after a planter altered one). */
export function refreshReportingRat(view: ReportingAmounts, asset: string, scale: number): void {
  const rate = rateOf(asset);
  view.assetAmountInRAT = toRootAsset(view.assetAmount, scale, rate);
  view.lockedAssetAmountInRAT = toRootAsset(view.lockedAssetAmount, scale, rate);
  view.availableAssetAmountInRAT = toRootAsset(view.availableAssetAmount, scale, rate);
}

/** Builds a position whose two views both equal its truth. */
export function makePosition(userId: string, asset: string, truth: Amounts): Position {
  const scale = assetById(asset).scale;
  return {
    userId,
    asset,
    scale,
    truth,
    backOffice: backOfficeView(truth),
    reporting: reportingView(truth, asset, scale),
    inReporting: true,
    inBackOffice: true,
  };
}

/**
 * Moves both views of a position alike (so amount-split and cross-source stay consistent): `amount` and `locked`
 * by the given deltas, available by their difference; the reporting `*InRAT` fields are recomputed.
 */
export function shiftViews(p: Position, delta: { amount?: bigint; locked?: bigint }): void {
  const amount = delta.amount ?? 0n;
  const locked = delta.locked ?? 0n;
  const bo = p.backOffice;
  bo.amount += amount;
  bo.locked += locked;
  bo.available += amount - locked;
  const r = p.reporting;
  r.assetAmount += amount;
  r.lockedAssetAmount += locked;
  r.availableAssetAmount += amount - locked;
  refreshReportingRat(r, p.asset, p.scale);
}
