import { Amount, sum } from '../money';
import { mismatch, type Verdict } from '../verdict';

/**
 * The scale the root-asset figures are written in: 8 decimals in every example of the reporting
 * document ("28252.85584546", "0.35316468", "8630223.89027780").
 */
export const ROOT_SCALE = 8;
/**
 * Locked and available in root asset are each rounded from their exact product, so their sum may
 * miss the rounded total by one unit of the 8th decimal (see {@link rootAssetPositionCheck}).
 */
const SPLIT_ROUNDING = Amount.of(1n, ROOT_SCALE);

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
 * `root-asset`, per user × asset. `assetAmountInRAT` must read what the document's own rows read:
 * `assetAmount × rateToRootAsset` rounded half-up to {@link ROOT_SCALE} decimals (ada 79999.09800 ×
 * 0.35316468 = 28252.855845458640 → "28252.85584546"); the difference is what the published figure
 * is off by. Then `lockedAssetAmountInRAT + availableAssetAmountInRAT` must equal it within one unit:
 * each part is its own rounding of an exact product (off by at most half a unit), so their sum is
 * within one unit of the exact total, and the total is within half a unit of it; two whole-unit
 * figures less than 1.5 units apart are at most one apart. Skipped when `amount-split` already
 * failed for the position (the parts then do not add up exactly, and one fault is one discrepancy).
 *
 * @example
 * // ada 79999.09800 at 0.35316468 with assetAmountInRAT 28252.85584546 → match; 28252.85584545 → mismatch of −0.00000001
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
  const published = amount.times(rate).roundTo(ROOT_SCALE, 'half-up');
  if (!amountInRoot.equals(published)) {
    return mismatch({ check: 'root-asset', userId, asset }, 'assetAmountInRAT', published, amountInRoot, evidence());
  }
  if (splitHolds && lockedInRoot && availableInRoot) {
    const split = lockedInRoot.plus(availableInRoot);
    if (beyond(split.minus(amountInRoot), SPLIT_ROUNDING)) {
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
