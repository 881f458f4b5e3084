import type { RunDeps, RunRequest } from '../ports/run';
import type { RunPlan } from '../ports/run-state';
import { SourceError } from '../ports/source-error';
import { readAroundLateSignups } from './late-signups';
import { instantOf } from './listing-cursor';

/** A run's plan, or (the assets or the listing could not be read) the plan as far as it got and why it stopped. */
export type Planned = { ok: true; plan: RunPlan } | { ok: false; plan: RunPlan; error: SourceError };

/**
 * Lists the assets (between two looks at the users who signed up after the as-of, so the asset totals
 * can leave those out) and the size of the user listing up to the as-of, and cuts that listing into
 * shards of whole pages of the size the server answered for page 1 (asked `userBalanceSize`) — by key:
 * each shard after the first starts at the creation instant of the first user of its first page, one
 * listing request each.
 */
export async function planRun(request: RunRequest, deps: RunDeps, startedAt: Date, asOf: Date, dryRun: boolean): Promise<Planned> {
  const plan: RunPlan = {
    runId: request.runId,
    trigger: request.trigger,
    asOf: asOf.toISOString(),
    startedAt: startedAt.toISOString(),
    dryRun,
    rebuild: request.rebuild ?? false,
    ...(request.scope && { scope: request.scope }),
    pageSize: deps.settings.userBatchSize,
    askedPageSize: deps.settings.userBatchSize,
    totalUsers: 0,
    assets: [],
    shards: [],
  };
  try {
    const { totals, late } = await readAroundLateSignups(deps.ports.reporting, plan.asOf, plan.askedPageSize, () =>
      deps.ports.reporting.assets(),
    );
    plan.assets = totals.map((asset) => ({ assetId: asset.assetId, scale: asset.scale, total: asset.total.toString() }));
    plan.late = late;
    const first = await deps.ports.reporting.usersPage({ to: plan.asOf }, 1, plan.askedPageSize);
    plan.totalUsers = first.total;
    plan.pageSize = first.pageSize;
    plan.shards = await cutShards(plan, request.scope?.users ? undefined : deps.settings.shards.usersPerShard, deps.ports.reporting);
  } catch (error) {
    if (!(error instanceof SourceError)) throw error;
    plan.answered = deps.hooks.endpoints?.drain();
    return { ok: false, plan, error };
  }
  plan.answered = deps.hooks.endpoints?.drain();
  return { ok: true, plan };
}

/**
 * The shards of a planned listing: ranges of about `usersPerShard` users (whole pages; one shard without
 * it: a scoped run over a few users stays one invocation), each after the first starting at the creation
 * instant of the user at its first page's offset. A shard whose first instant is its predecessor's (a
 * whole shard created at one instant) is merged into it.
 */
export async function cutShards(
  plan: RunPlan,
  usersPerShard: number | undefined,
  reporting: RunDeps['ports']['reporting'],
): Promise<RunPlan['shards']> {
  const pages = Math.max(1, Math.ceil(plan.totalUsers / plan.pageSize));
  const pagesPerShard = Math.max(1, Math.floor((usersPerShard ?? Number.MAX_SAFE_INTEGER) / plan.pageSize));
  let previous: RunPlan['shards'][number] = { firstPage: 1 };
  const shards: RunPlan['shards'] = [previous];
  for (let firstPage = 1 + pagesPerShard; firstPage <= pages; firstPage += pagesPerShard) {
    const { users } = await reporting.usersPage({ to: plan.asOf }, firstPage, plan.askedPageSize);
    const from = users[0]?.createdAt;
    if (!from || (previous.from !== undefined && instantOf(from) <= instantOf(previous.from))) continue;
    previous.endPage = firstPage;
    previous.until = from;
    previous = { firstPage, from };
    shards.push(previous);
  }
  return shards;
}
