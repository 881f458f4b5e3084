import { assetTotalsCheck } from '../../domain/checks/asset-totals';
import { Amount } from '../../domain/money';
import type { Precision } from '../../domain/precision';
import type { Verdict } from '../../domain/verdict';
import type { AssetSums, RunPlan, ShardTally } from '../../ports/run-state';
import type { ReportingPort } from '../../ports/upstream';
import { totalsThatMoved } from '../late-signups';
import type { RunContext } from '../run-context';

/**
 * The final checks: each asset's totals over the shards' sums, settled into the final phase's tally.
 * Judged only if Reporting's totals held still while the users were read (one more read of them).
 */
export async function checkAssetTotals(plan: RunPlan, merged: ShardTally, context: RunContext, reporting: ReportingPort): Promise<void> {
  const { sink, health, precision } = context;
  const judged = merged.assetSumsComplete && !plan.scope?.users && plan.assets.length > 0;
  const moved = judged ? await totalsThatMoved(reporting, plan, (error) => health.failed(error.source, error)) : new Map();
  await sink.settle(plan.assets.map((asset) => assetTotalsVerdict(asset, plan, merged, precision, moved.get(asset.assetId))));
}

/**
 * An asset's totals check over the shards' sums, the funds of users who signed up after the as-of taken
 * out of Reporting's total; `unknown` when a counted user could not be read, the run did not read them all,
 * the users listed at plan time are not the users read (some were deleted meanwhile), or the late
 * sign-ups could not be accounted for, or Reporting's total moved during the run (`moved`, the reason).
 */
export function assetTotalsVerdict(
  asset: RunPlan['assets'][number],
  plan: RunPlan,
  merged: ShardTally,
  precision: Precision,
  moved?: string,
): Verdict {
  const unknown = (reason: string): Verdict => ({ check: 'asset-totals', outcome: 'unknown', userId: '*', asset: asset.assetId, reason });
  if (!merged.assetSumsComplete || merged.listingMoved.length > 0 || plan.scope?.users)
    return unknown('not every counted user could be read');
  if (merged.listed !== undefined && merged.listed !== plan.totalUsers)
    return unknown(`the listing held ${plan.totalUsers} users up to the as-of when planned, ${merged.listed} when read`);
  if (plan.late && 'unknown' in plan.late) return unknown(plan.late.unknown);
  if (moved) return unknown(moved);
  const late = plan.late ? sumOf(plan.late.sums, asset.assetId).total : Amount.ZERO;
  return assetTotalsCheck(
    asset.assetId,
    Amount.parse(asset.total).minus(late),
    sumOf(merged.assetSums, asset.assetId),
    sumOf(merged.outsideSums, asset.assetId),
    precision,
  );
}

function sumOf(sums: AssetSums, asset: string): { total: Amount; users: number } {
  const sum = sums[asset];
  return sum ? { total: Amount.parse(sum.total), users: sum.users } : { total: Amount.ZERO, users: 0 };
}
