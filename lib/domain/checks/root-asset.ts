import { Amount, sum } from '../money';
import { mismatch, type Verdict } from '../verdict';

/** The root-asset figures are rounded to 8 decimals: one unit of that is rounding, not a difference. */
export const ROOT_ROUNDING = Amount.of(1n, 8);
/** Locked and available in root asset are rounded apart: their sum may be off by two units. */
const TWO_ROUNDINGS = Amount.of(2n, 8);

/** A Reporting balance row with its root-asset (`*InRAT`) figures. */
export interface RootAssetRow {
  userId: string;
  asset: string;
  amount: Amount;
  rate: Amount | undefined;
  amountInRoot: Amount | undefined;
  lockedInRoot: Amount | undefined;
  availableInRoot: Amount | undefined;
}

function beyond(difference: Amount, tolerance: Amount): boolean {
  return difference.abs().compare(tolerance) > 0;
}

/**
 * `root-asset`, per user × asset: `assetAmountInRAT` equals `assetAmount × rateToRootAsset` within
 * the root asset's rounding; then locked + available in root asset equal the total in root asset
 * (two roundings). The split sub-check is skipped when `amount-split` already failed for the
 * position: the same fault would be reported twice.
 *
 * @example
 * // 2 btc at rate 30000.5 with assetAmountInRAT 60001.00000001 → match; 60001.01 → mismatch
 */
export function rootAssetPositionCheck(row: RootAssetRow, splitHolds: boolean): Verdict {
  const { userId, asset, amount, rate, amountInRoot, lockedInRoot, availableInRoot } = row;
  if (!rate || !amountInRoot)
    return { check: 'root-asset', outcome: 'unknown', userId, asset, reason: 'no root-asset figures for the position' };
  // Built only for a mismatch: most positions pass, and this runs for every one.
  const evidence = () => ({
    'reporting.assetAmount': amount.toString(),
    'reporting.rateToRootAsset': rate.toString(),
    'reporting.assetAmountInRAT': amountInRoot.toString(),
    ...(lockedInRoot ? { 'reporting.lockedAssetAmountInRAT': lockedInRoot.toString() } : {}),
    ...(availableInRoot ? { 'reporting.availableAssetAmountInRAT': availableInRoot.toString() } : {}),
  });
  const converted = amount.times(rate);
  if (beyond(amountInRoot.minus(converted), ROOT_ROUNDING)) {
    return mismatch({ check: 'root-asset', userId, asset }, 'assetAmountInRAT', converted, amountInRoot, evidence());
  }
  if (splitHolds && lockedInRoot && availableInRoot) {
    const split = lockedInRoot.plus(availableInRoot);
    if (beyond(split.minus(amountInRoot), TWO_ROUNDINGS)) {
      return mismatch({ check: 'root-asset', userId, asset }, 'splitInRAT', amountInRoot, split, evidence());
    }
  }
  return { check: 'root-asset', outcome: 'match', userId, asset };
}

/** A user's root-asset totals as Reporting and the back office state them, with the parts they should add up to. */
export interface RootAssetTotals {
  userId: string;
  reportingTotal: Amount | undefined;
  reportingParts: (Amount | undefined)[];
  backOfficeTotal: Amount | undefined;
  backOfficeParts: (Amount | undefined)[];
  /** Why the back office's figures are missing altogether (it failed, or does not know the user); left out when it was read. */
  backOfficeUnread?: string;
}

/** One source's total rule: which total, which parts, how that source names them. */
interface TotalRule {
  source: string;
  field: string;
  partField: string;
  total: Amount | undefined;
  parts: (Amount | undefined)[];
}

/** A total rule's outcome: it holds (undefined), it does not (a mismatch), or it could not run (why). */
function judgeTotal(userId: string, rule: TotalRule): Verdict | { unknown: string } | undefined {
  const { source, field, partField, total, parts } = rule;
  if (!total) return { unknown: `${source} states no ${field}` };
  const lacking = parts.filter((part) => part === undefined).length;
  if (lacking > 0) return { unknown: `${lacking} of ${parts.length} ${source} assets lack ${partField}` };
  const expected = sum(parts as Amount[]);
  if (expected.equals(total)) return undefined;
  return mismatch({ check: 'root-asset', userId, asset: '*' }, field, expected, total, {
    [`${source}.${field}`]: total.toString(),
    [`${source}.sumOfAssets`]: expected.toString(),
    [`${source}.assets`]: String(parts.length),
  });
}

/**
 * `root-asset`, per user (asset `*`): Reporting `users.totalBalanceInRAT` equals Σ the user's
 * `assetAmountInRAT`, and the back office `totalFundsInRootAsset` equals Σ `fundsInRootAsset`. A
 * rule that could not run — a total not stated (the back office states it only when every asset
 * has a `fundsInRootAsset` and no asset filter was sent), a part missing, the back office unread —
 * makes the verdict `unknown`, never `match`, unless the other rule finds a mismatch.
 *
 * @example
 * // totalFundsInRootAsset 80020 over fundsInRootAsset 80000 and 20 → match; over 80000 alone → mismatch of 20
 */
export function rootAssetTotalsCheck(totals: RootAssetTotals): Verdict {
  const { userId } = totals;
  const reporting = judgeTotal(userId, {
    source: 'reporting',
    field: 'totalBalanceInRAT',
    partField: 'assetAmountInRAT',
    total: totals.reportingTotal,
    parts: totals.reportingParts,
  });
  const backOffice: ReturnType<typeof judgeTotal> = totals.backOfficeUnread
    ? { unknown: `backoffice: ${totals.backOfficeUnread}` }
    : judgeTotal(userId, {
        source: 'backoffice',
        field: 'totalFundsInRootAsset',
        partField: 'fundsInRootAsset',
        total: totals.backOfficeTotal,
        parts: totals.backOfficeParts,
      });
  const outcomes = [reporting, backOffice];
  const found = outcomes.find((outcome): outcome is Verdict => outcome !== undefined && 'outcome' in outcome);
  if (found) return found;
  const reasons = outcomes.flatMap((outcome) => (outcome && 'unknown' in outcome ? [outcome.unknown] : []));
  if (reasons.length > 0) return { check: 'root-asset', outcome: 'unknown', userId, asset: '*', reason: reasons.join('; ') };
  return { check: 'root-asset', outcome: 'match', userId, asset: '*' };
}
