import { randomUUID } from 'node:crypto';
import { sourceAlert } from '../alerts/owed-alert';
import { assetTotalsCheck } from '../domain/checks/asset-totals';
import type { DiscrepancyState } from '../domain/lifecycle';
import { Amount } from '../domain/money';
import type { Precision } from '../domain/precision';
import type { Verdict } from '../domain/verdict';
import { LockLostError } from '../errors';
import type { RunDeps, RunRequest, RunWork, ShardControl, ShardInvoker } from '../ports/run';
import type { RunScope } from '../ports/run-scope';
import type { AssetSums, RunPhase, RunPlan, RunStateStore, ShardTally } from '../ports/run-state';
import type { RunSummary } from '../ports/run-summary';
import type { RunStart } from '../ports/store';
import type { SourceName } from '../ports/upstream';
import type { VenuePorts } from '../ports/venues';
import { SourceError } from '../sources/source-error';
import { checkVenues } from './check-venues';
import { drainOutbox } from './drain-outbox';
import { readAroundLateSignups, totalsThatMoved } from './late-signups';
import { instantOf } from './listing-cursor';
import { openRunContext, type RunContext } from './run-context';
import { InMemoryRunState } from './run-state-memory';
import { runShard, type ShardDeps, timeIsShort } from './shard/run-shard';
import { emptyShardTally, mergeTallies, summaryCounts } from './shard-tally';
import { SourceHealthTracker } from './source-health';
import { failingEndpointsOf, sourceTransition } from './source-transitions';

/** How often a running run's progress (users, positions, discrepancies so far) is stored for `GET /runs/{id}`. */
const PROGRESS_EVERY_MS = 2_000;

/** How a run goes on in a fresh invocation: where it checkpoints, who is invoked, and when this one must stop. */
interface Handover {
  runState: RunStateStore;
  invoker: ShardInvoker;
  control: ShardControl;
}

/**
 * The same deps with the run's writes fenced by its lock: once another run took the lock, nothing more
 * is written (a dry run, which takes no lock, writes through the stores as they are).
 */
function fencedBy<D extends RunDeps>(deps: D, runId: string): D {
  const now = () => deps.ports.clock.now();
  return {
    ...deps,
    ports: {
      ...deps.ports,
      discrepancies: deps.ports.discrepancies.fencedBy(runId, now),
      sourceStates: deps.ports.sourceStates.fencedBy(runId, now),
    },
  };
}

/** The deps with a run state: the given one, or (a single-invocation run) one in memory. */
function withRunState(deps: RunDeps): ShardDeps {
  return { ...deps, ports: { ...deps.ports, runState: deps.ports.runState ?? new InMemoryRunState() } };
}

/**
 * Reconciles every user of the book as of one time. The coordinator lists the assets and the size
 * of the user listing and plans shards (ranges of listing pages); each shard streams its pages —
 * balances and open orders per user, history from the running totals, back-office balances — runs
 * every check and records each mismatch, checkpointing every few seconds. The last shard to finish
 * runs the asset totals and the venues, sends the run's alerts and stores the summary. A source
 * that fails makes the checks that needed it `unknown` — never a discrepancy — and is reported in
 * the summary and by a source-health alert.
 *
 * With `deps.ports.invoker`, more than one shard and not a dry run, the shards run as separate invocations and
 * this returns the `running` summary at once; otherwise everything runs here — until `control` says time is
 * short: then (with the invoker and `deps.ports.runState`, not in a dry run) the shard or the final phase it is in
 * is checkpointed and handed to a fresh invocation, and this returns the `running` summary.
 */
export async function reconcile(request: RunRequest, deps: RunDeps, control: ShardControl = {}): Promise<RunSummary> {
  deps.hooks.callDeadline?.follow(control.remainingMs);
  const startedAt = deps.ports.clock.now();
  const run: RunStart = {
    runId: request.runId,
    trigger: request.trigger,
    asOf: (request.asOf ?? startedAt).toISOString(),
    startedAt: startedAt.toISOString(),
  };
  const dryRun = request.dryRun ?? false;
  const begun = await deps.ports.runs.beginRun(run);
  // The same run delivered again (a retry, a duplicate event, a double click) changes nothing.
  if (!begun.started) return begun.previous ?? nothingYet(run, 'skipped', 'this run is already in progress');
  // A dry run writes no discrepancy, so it needs no lock; every other run holds it while it writes.
  if (!dryRun && !(await deps.ports.runs.acquireLock(request.runId, deps.settings.lockTtlMs, startedAt))) {
    // Stored, naming the holder; a later delivery of this id runs (`beginRun` takes a `skipped` run over).
    const holder = await deps.ports.runs.lockHolder();
    const summary = nothingYet(run, 'skipped', `another run holds the run lock${holder ? `: ${holder}` : ''}`);
    await deps.ports.runs.saveRun(summary);
    deps.ports.metrics?.runEnded(summary);
    return summary;
  }
  const local = withRunState(deps);
  const runState = local.ports.runState;
  // Every write of the run is fenced by its lock: once another run took it, nothing more is written.
  const fenced = dryRun ? local : fencedBy(local, run.runId);
  let plan: RunPlan | undefined;
  let handedOver = false;
  try {
    // What earlier runs owe (SNS was down, a run failed or crashed) goes out before this run's own work.
    if (!dryRun) await drain(deps, request.runId);
    deps.hooks.retryBudget?.reset();
    deps.hooks.drift?.drain();
    deps.hooks.endpoints?.drain();
    // A run delivered again after it failed resumes from its stored plan and checkpoints.
    const stored = dryRun ? undefined : await deps.ports.runState?.loadPlan(run.runId);
    const planned: Planned = stored ? { ok: true, plan: stored } : await planRun(request, fenced, startedAt, new Date(run.asOf), dryRun);
    plan = planned.plan;
    const running: RunSummary = { ...nothingYet(run, 'running'), shards: plan.shards.length };
    if (!planned.ok) return (await finalizeRun(plan, [], fenced, planned.error)) ?? running;
    if (!dryRun && deps.ports.runState && !stored) await deps.ports.runState.savePlan(plan);
    const fanOut = deps.ports.invoker && plan.shards.length > 1 && !dryRun ? deps.ports.invoker : undefined;
    if (fanOut) {
      await fanOutShards(plan, runState, fanOut, stored ? plan.shards.length : (deps.settings.shards.concurrency ?? 1));
      handedOver = true;
      return running;
    }
    const handover =
      deps.ports.runState && deps.ports.invoker && !dryRun
        ? { runState: deps.ports.runState, invoker: deps.ports.invoker, control }
        : undefined;
    const summary = await runHere(plan, fenced, handover);
    handedOver = summary === undefined;
    return summary ?? running;
  } catch (error) {
    // Leave a final status behind, so `GET /runs/{id}` does not show the run running for ever, with what it counted.
    const reason = `failed: ${error instanceof Error ? error.name : 'unknown error'}`;
    const failed = plan ? await failedSummary(plan, runState, deps, reason) : nothingYet(run, 'failed', reason);
    await deps.ports.runs.saveRun({ ...failed, finishedAt: deps.ports.clock.now().toISOString() }).catch(() => undefined);
    if (!dryRun) deps.ports.metrics?.runEnded(failed);
    throw error;
  } finally {
    if (!dryRun && !handedOver) await deps.ports.runs.releaseLock(request.runId);
  }
}

/**
 * Hands the first `count` shards of a fanned-out run to workers, claiming each (a run resumed after it
 * failed hands every shard again: those done finish at once, and the last to finish claims the final phase).
 */
async function fanOutShards(plan: RunPlan, runState: RunStateStore, invoker: ShardInvoker, count: number): Promise<void> {
  const first = Math.min(count, plan.shards.length);
  for (let shard = 0; shard < first; shard++) {
    const claimed = await runState.claimShard(plan.runId, plan.shards.length);
    await invoker.invoke({ runId: plan.runId, shard: claimed ?? shard });
  }
}

/**
 * Runs every shard of `plan` in this invocation, one after another, then the final phase. With a
 * `handover`, a shard or the final phase that runs short of time is checkpointed and handed to a
 * shard worker: then this answers `undefined` (the run goes on there, holding the run lock).
 */
async function runHere(plan: RunPlan, deps: RunDeps, handover: Handover | undefined): Promise<RunSummary | undefined> {
  const { runId, dryRun } = plan;
  const tallies: ShardTally[] = [];
  const local = withRunState(deps);
  // Loaded once: every shard run here (and the final phase) shares the one map.
  const active = dryRun ? undefined : await deps.ports.discrepancies.active();
  // Progress is stored at most every few seconds: one write per page would cost as much as the page's findings.
  let progressStoredAt = Number.NEGATIVE_INFINITY;
  for (let shard = 0; shard < plan.shards.length; shard++) {
    const done = tallies.reduce((sum, tally) => sum + tally.users, 0);
    const onProgress = (progress: { users: number; positions: number; discrepancies: number }) => {
      const users = done + progress.users;
      deps.hooks.onProgress?.({ ...progress, users });
      const now = deps.ports.clock.now().getTime();
      if (dryRun || !deps.ports.runs.progress || now - progressStoredAt < PROGRESS_EVERY_MS) return;
      progressStoredAt = now;
      void deps.ports.runs.progress(runId, { ...progress, users }).catch(() => undefined);
    };
    const { tally, finished } = await runShard(plan, shard, { ...local, hooks: { ...local.hooks, onProgress } }, handover?.control, active);
    if (!finished && handover) return handOverInline(plan, { runId, shard }, handover);
    tallies.push(tally);
  }
  const summary = await finalizeRun(plan, tallies, local, undefined, handover, active);
  if (summary || !handover) return summary;
  return handOverInline(plan, { runId, final: true }, handover);
}

/**
 * One shard's work in a fanned-out or handed-over run (the shard worker function calls this): resumes
 * the shard from its checkpoint; hands the rest to a new invocation when time runs short; when it is
 * done, claims the next shard not yet started; and the last shard to finish finalises the run. Given
 * `{ runId, final: true }`, resumes a final phase that handed over.
 */
export async function reconcileShard(work: RunWork, deps: ShardWorkerDeps, control: ShardControl = {}): Promise<RunSummary | undefined> {
  // A warm container may have spent its allowance on an earlier shard or run, and followed its deadline.
  deps.hooks.retryBudget?.reset();
  deps.hooks.callDeadline?.follow(control.remainingMs);
  const plan = await deps.ports.runState.loadPlan(work.runId);
  if (!plan) throw new RangeError(`run ${work.runId} has no stored plan`);
  const fenced = fencedBy(deps, plan.runId);
  try {
    if ('final' in work) return await finishRun(plan, fenced, control, work.claim);
    return await shardWork(plan, work.shard, fenced, control);
  } catch (error) {
    if (!(error instanceof LockLostError)) throw error;
    // Another run holds the lock now: this one stops, writes nothing more, and says so (a retry would not change it).
    const failed = await failedSummary(plan, deps.ports.runState, deps, `failed: ${error.name}`);
    await deps.ports.runs.saveRun(failed);
    deps.ports.metrics?.runEnded(failed);
    return failed;
  }
}

/** The ports of a shard worker: a stored run state and an invoker to hand work to. */
type ShardWorkerDeps = RunDeps & { ports: { runState: RunStateStore; invoker: ShardInvoker } };

/**
 * One shard from its checkpoint, claimed for this invocation (a delivery that finds it claimed under a
 * live lease does nothing), renewing the run lock as it starts and once a minute (a renewal refused is
 * {@link LockLostError}: the shard stops before its next write, not marked done); then the next shard is
 * claimed and, when this was the last to finish, the final phase. A shard already done is not redone.
 */
async function shardWork(plan: RunPlan, shard: number, deps: ShardWorkerDeps, control: ShardControl): Promise<RunSummary | undefined> {
  const runId = plan.runId;
  if (!(await deps.ports.runState.loadTally(runId, shard))?.done) {
    const finished = await claimed(deps, { runId, phase: shard }, control, async (release) => {
      const lock = lockRenewal(runId, deps);
      await lock.renew();
      const afterPage = async (page: number) => {
        await lock.renew();
        await control.afterPage?.(page);
      };
      const { finished } = await runShard(plan, shard, deps, { ...control, afterPage });
      if (finished) return true;
      // The rest of the shard goes on in a fresh invocation: the claim is given up for it.
      await release();
      await deps.ports.invoker.invoke({ runId, shard });
      return false;
    });
    if (!finished) return undefined;
  }
  const next = await deps.ports.runState.claimShard(runId, plan.shards.length);
  if (next !== undefined) await deps.ports.invoker.invoke({ runId, shard: next });
  const done = await deps.ports.runState.shardDone(runId, shard);
  if (done < plan.shards.length) return undefined;
  return finishRun(plan, deps, control);
}

/**
 * The run lock kept by a shard: `renew` takes it again at most once a minute (the first call always).
 * A renewal refused — another run took the lock, or it was released — is {@link LockLostError}.
 */
function lockRenewal(runId: string, deps: ShardWorkerDeps): { renew(): Promise<void> } {
  const lockTtlMs = deps.settings.lockTtlMs;
  let renewedAt = Number.NEGATIVE_INFINITY;
  return {
    async renew() {
      const now = deps.ports.clock.now();
      if (now.getTime() - renewedAt < Math.min(60_000, lockTtlMs / 2)) return;
      if (!(await deps.ports.runs.renewLock(runId, lockTtlMs, now))) throw new LockLostError(runId);
      renewedAt = now.getTime();
    },
  };
}

/**
 * Runs `work` under a claim of one phase of a run, leased until this invocation's deadline (or the
 * lock's TTL without one); answers undefined without running it when another delivery holds the
 * phase. A `work` that throws gives the claim up first, so the next delivery takes the phase over.
 */
async function claimed<T>(
  deps: ShardWorkerDeps,
  target: { runId: string; phase: RunPhase; claim?: string },
  control: ShardControl,
  work: (release: () => Promise<void>, claim: string) => Promise<T>,
): Promise<T | undefined> {
  const { runId, phase, claim = randomUUID() } = target;
  const now = deps.ports.clock.now().getTime();
  const leaseUntil = now + (control.remainingMs?.() ?? deps.settings.lockTtlMs);
  if (!(await deps.ports.runState.claimPhase(runId, phase, claim, leaseUntil, now))) return undefined;
  const release = () => deps.ports.runState.releasePhase(runId, phase, claim);
  try {
    return await work(release, claim);
  } catch (error) {
    await release().catch(() => undefined);
    throw error;
  }
}

/**
 * The final phase of a fanned-out or handed-over run, in a shard worker invocation, claimed first
 * (`claim`: the token handed over, or a new one): a delivery that finds it claimed under a live lease,
 * or done, does nothing. It takes the run lock again (the phase may outlast the last renewal), merges
 * the shards' checkpoints and finalises the run, resuming from the phase's checkpoint; when time runs
 * short it hands the rest of the phase and its claim to a fresh invocation and keeps the lock.
 */
async function finishRun(plan: RunPlan, deps: ShardWorkerDeps, control: ShardControl, claim?: string): Promise<RunSummary | undefined> {
  const runId = plan.runId;
  return claimed(deps, { runId, phase: 'final', claim }, control, async (_, token) => {
    let handedOver = false;
    try {
      if (!(await deps.ports.runs.acquireLock(runId, deps.settings.lockTtlMs, deps.ports.clock.now()))) throw new LockLostError(runId);
      const tallies = await Promise.all(plan.shards.map((_, shard) => deps.ports.runState.loadTally(runId, shard)));
      const summary = await finalizeRun(
        plan,
        tallies.map((tally, shard) => tally ?? emptyShardTally(plan.shards[shard]?.firstPage ?? 1)),
        deps,
        undefined,
        { runState: deps.ports.runState, invoker: deps.ports.invoker, control },
      );
      if (summary) {
        await deps.ports.runState.finalDone(runId, token);
        return summary;
      }
      await deps.ports.invoker.invoke({ runId, final: true, claim: token });
      handedOver = true;
      return undefined;
    } finally {
      if (!handedOver) await deps.ports.runs.releaseLock(runId);
    }
  });
}

/**
 * Hands a run that ran in its first invocation to a shard worker: stores the plan, claims the shards
 * up to the one handed over and counts those before it done (so no shard is started twice and the
 * handed-over work is the last to finish), then invokes the worker. The run lock stays held.
 */
async function handOverInline(plan: RunPlan, work: RunWork, handover: Handover): Promise<undefined> {
  const { runState, invoker } = handover;
  const upTo = 'final' in work ? plan.shards.length : work.shard;
  await runState.savePlan(plan);
  for (let shard = 0; shard < Math.min(upTo + 1, plan.shards.length); shard++) await runState.claimShard(plan.runId, plan.shards.length);
  for (let shard = 0; shard < upTo; shard++) await runState.shardDone(plan.runId, shard);
  await invoker.invoke(work);
  return undefined;
}

/** The final phase's checkpoint slot: after the shards' (its tally holds what the phase itself settled). */
function finalSlot(plan: RunPlan): number {
  return plan.shards.length;
}

type Planned = { ok: true; plan: RunPlan } | { ok: false; plan: RunPlan; error: SourceError };

/**
 * Lists the assets (between two looks at the users who signed up after the as-of, so the asset totals
 * can leave those out) and the size of the user listing up to the as-of, and cuts that listing into
 * shards of whole pages of the size the server answered for page 1 (asked `userBalanceSize`) — by key:
 * each shard after the first starts at the creation instant of the first user of its first page, one
 * listing request each.
 */
async function planRun(request: RunRequest, deps: RunDeps, startedAt: Date, asOf: Date, dryRun: boolean): Promise<Planned> {
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
async function cutShards(
  plan: RunPlan,
  usersPerShard: number | undefined,
  reporting: RunDeps['ports']['reporting'],
): Promise<RunPlan['shards']> {
  const pages = Math.max(1, Math.ceil(plan.totalUsers / plan.pageSize));
  const pagesPerShard = Math.max(1, Math.floor((usersPerShard ?? Number.MAX_SAFE_INTEGER) / plan.pageSize));
  const shards: RunPlan['shards'] = [{ firstPage: 1 }];
  for (let firstPage = 1 + pagesPerShard; firstPage <= pages; firstPage += pagesPerShard) {
    const { users } = await reporting.usersPage({ to: plan.asOf }, firstPage, plan.askedPageSize);
    const from = users[0]?.createdAt;
    const previous = shards.at(-1) as RunPlan['shards'][number];
    if (!from || (previous.from !== undefined && instantOf(from) <= instantOf(previous.from))) continue;
    previous.endPage = firstPage;
    previous.until = from;
    shards.push({ firstPage, from });
  }
  return shards;
}

/**
 * Ends a run: merges the shards' tallies, checks the per-asset totals and the venues, sends the
 * run's alerts once, notes source-health changes and stores the summary. With `handover`, the phase
 * resumes from its checkpoint and, when time runs short during the venue reads, checkpoints what it
 * settled and how far each venue got, and answers `undefined`: the caller hands the rest over.
 */
async function finalizeRun(
  plan: RunPlan,
  tallies: ShardTally[],
  deps: RunDeps,
  failure?: SourceError,
  handover?: Handover,
  active?: Map<string, DiscrepancyState>,
): Promise<RunSummary | undefined> {
  const merged = mergeTallies(tallies);
  const health = SourceHealthTracker.from(merged.sources);
  if (failure) health.failed(failure.source, failure, true);
  else health.used('reporting');
  health.answeredAll(plan.answered);
  const scope = plan.scope;
  const dryRun = plan.dryRun;
  const runId = plan.runId;
  if (merged.listingMoved.length > 0) {
    // The server skipped users or served them out of order (users signing up or deleted are no fault): some may be unchecked.
    health.failed(
      'reporting',
      new SourceError(
        'reporting',
        'users',
        'inconsistent-paging',
        `the user listing came short or out of order during the run; some users may be unchecked: ${merged.listingMoved.join('; ')}`,
      ),
    );
  }
  // What this phase settles is its own tally, checkpointed at a handover and merged with the shards' at the end.
  // Checkpoints (a dry run keeps none): where a handed-over, taken-over or resumed phase starts from.
  const checkpoints = dryRun ? undefined : (handover?.runState ?? deps.ports.runState);
  const phase = (checkpoints && !failure && (await checkpoints.loadTally(runId, finalSlot(plan)))) || emptyShardTally(0);
  phase.rates = merged.rates;
  const context = await openRunContext(plan, phase, deps, active);
  const { effects, health: phaseHealth } = context;
  let venueCoverage: RunSummary['venues'];
  if (!failure) {
    const checked = await finalChecks(plan, merged, phase, { context, deps, handover });
    // Checkpointed at a handover, and once the checks are over (before the alerts and the summary): a
    // delivery that takes over a killed phase resumes from here instead of checking again.
    if (checkpoints) {
      await effects.settle();
      for (const report of deps.hooks.drift?.drain() ?? []) phaseHealth.drifted(report);
      phaseHealth.answeredAll(deps.hooks.endpoints?.drain());
      phase.sources = phaseHealth.report();
      await checkpoints.saveTally(runId, finalSlot(plan), phase);
      if (!checked.finished && handover) return undefined;
    }
    venueCoverage = checked.coverage;
  }
  health.merge(phaseHealth.report());
  const finishedAt = deps.ports.clock.now().toISOString();
  // What the final phase found matching (asset totals, venues) is resolved like a page's matches.
  await effects.settle();
  const all = mergeTallies([...tallies, phase]);
  for (const report of deps.hooks.drift?.drain() ?? []) health.drifted(report);
  health.answeredAll(deps.hooks.endpoints?.drain());
  const sources = health.report();
  const summary: RunSummary = {
    runId,
    trigger: plan.trigger,
    asOf: plan.asOf,
    startedAt: plan.startedAt,
    finishedAt,
    status: all.users === 0 && failure ? 'failed' : health.anyFailed ? 'partial' : 'complete',
    ...(scope && { scope }),
    ...summaryCounts(all),
    sources,
    ...(venueCoverage && { venues: venueCoverage }),
    ...(all.unchecked && { unchecked: all.unchecked }),
    shards: Math.max(plan.shards.length, 1),
    history: { rows: all.historyRows, incrementalUsers: all.incrementalUsers, rebuild: plan.rebuild },
    outsideTotals: Object.fromEntries(
      Object.entries(all.outsideSums).map(([asset, sum]) => [asset, { users: sum.users, amount: sum.total }]),
    ),
  };
  if (dryRun) {
    await deps.ports.runs.saveRun({ ...summary, dryRun: true });
    return { ...summary, dryRun: true };
  }
  await saveSourceHealth(sources, runId, finishedAt, deps);
  // This run's alerts (and any still owed) go out once everything that owes them is stored.
  const drained = await drain(deps, runId);
  summary.alerts = { published: drained.published, owed: drained.owed };
  await deps.ports.runs.saveRun(summary);
  deps.ports.metrics?.runEnded(summary);
  return summary;
}

/** Publishes what the outbox owes, as `holder` (the run), with the run's storm threshold. */
function drain(deps: RunDeps, holder: string) {
  return drainOutbox(deps.ports.outbox, deps.ports.alerts, {
    holder,
    clock: deps.ports.clock,
    stormThreshold: deps.settings.stormThreshold,
  });
}

/**
 * Stores each source's health where it changed (or was never stored), with the alert the change owes
 * (unhealthy, drifted, recovered) in the same write.
 */
async function saveSourceHealth(sources: RunSummary['sources'], runId: string, at: string, deps: RunDeps): Promise<void> {
  const remembered = await deps.ports.sourceStates.sourceStates();
  for (const [name, entry] of Object.entries(sources) as [SourceName, NonNullable<(typeof sources)[SourceName]>][]) {
    const previous = remembered[name];
    const { alert, next } = sourceTransition(previous, entry, at);
    const owed =
      alert === 'unhealthy' || alert === 'drifted'
        ? sourceAlert(name, runId, {
            type: 'source-unhealthy',
            problem: {
              source: name,
              runId,
              failures: entry.failures,
              firstError: entry.firstError ?? '',
              drift: entry.drift ?? [],
              endpoints: next.failingEndpoints ?? [],
            },
          })
        : alert === 'recovered'
          ? sourceAlert(name, runId, {
              type: 'source-recovered',
              recovery: { source: name, runId, failingSince: previous?.since ?? at, endpoints: failingEndpointsOf(previous) },
            })
          : undefined;
    if (alert || !previous) await deps.ports.sourceStates.saveSourceState(name, next, owed);
  }
}

/** What the final phase's checks did in this invocation: whether every venue phase is over, and the venues' coverage then. */
interface FinalChecks {
  finished: boolean;
  coverage?: RunSummary['venues'];
}

/**
 * The final phase's checks, settled into its own tally: the per-asset totals (once: a resumed phase
 * has them already), then the venues from where an earlier invocation stopped, until every venue's
 * phase is over or time runs short (with a handover).
 */
async function finalChecks(
  plan: RunPlan,
  merged: ShardTally,
  phase: ShardTally,
  phaseOf: { context: RunContext; deps: RunDeps; handover?: Handover },
): Promise<FinalChecks> {
  const { context, deps, handover } = phaseOf;
  const { sink, health, precision, breaker } = context;
  const scope = plan.scope;
  if (!phase.venueProgress) {
    // Judged only if Reporting's totals held still while the users were read (one more read of them).
    const judged = merged.assetSumsComplete && !plan.scope?.users && plan.assets.length > 0;
    const moved = judged ? await totalsThatMoved(deps.ports.reporting, plan, (error) => health.failed(error.source, error)) : new Map();
    await sink.settle(plan.assets.map((asset) => assetTotalsVerdict(asset, plan, merged, precision, moved.get(asset.assetId))));
    phase.venueProgress = {};
  }
  const venues = deps.ports.venues && scopedVenues(deps.ports.venues, scope);
  if (!venues) return { finished: true };
  try {
    const read = await checkVenues(
      venues,
      (userId) => breaker.call('reporting', () => deps.ports.reporting.userBalances(userId)),
      {
        log: deps.ports.venueLog,
        // A dry run records nothing; a run judging only some assets has not checked whole accounts.
        readOnly: plan.dryRun || scope?.assets !== undefined,
        budgets: deps.settings.venueBudgets,
        windowSeconds: deps.settings.venueWindowSeconds,
        runSeconds: deps.settings.venueRunSeconds,
        clock: deps.ports.clock,
        resume: phase.venueProgress,
        ...(handover && { mustStop: () => timeIsShort(handover.control) }),
      },
      precision,
      breaker,
      health,
    );
    await sink.settle(read.verdicts);
    phase.venueProgress = read.progress;
    return { finished: read.finished, coverage: read.coverage };
  } catch (error) {
    if (!(error instanceof SourceError)) throw error;
    health.failed(error.source, error, true);
    return { finished: true };
  }
}

/**
 * An asset's totals check over the shards' sums, the funds of users who signed up after the as-of taken
 * out of Reporting's total; `unknown` when a counted user could not be read, the run did not read them all,
 * the users listed at plan time are not the users read (some were deleted meanwhile), or the late
 * sign-ups could not be accounted for, or Reporting's total moved during the run (`moved`, the reason).
 */
function assetTotalsVerdict(
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

/**
 * The venues a scope reads: those its `sources` name (all when it names none) whose check its
 * `checks` include (all when it names none), and only the accounts of its users.
 */
function scopedVenues(venues: VenuePorts, scope: RunScope | undefined): VenuePorts | undefined {
  if (!scope) return venues;
  const wanted = (source: 'multimarkets' | 'indx') =>
    (!scope.sources || scope.sources.includes(source)) && (!scope.checks || scope.checks.includes(`venue-${source}`));
  const users = scope.users ? new Set(scope.users) : undefined;
  const mine = <T extends { userId: string }>(accounts: T[]) =>
    users ? accounts.filter((account) => users.has(account.userId)) : accounts;
  return {
    accounts: { multimarkets: mine(venues.accounts.multimarkets), indx: mine(venues.accounts.indx) },
    ...(wanted('multimarkets') && venues.multiMarkets ? { multiMarkets: venues.multiMarkets } : {}),
    ...(wanted('indx') && venues.indx ? { indx: venues.indx } : {}),
  };
}

/** A summary with nothing counted: a run skipped, failed before it planned, or handed to its shards. */
function nothingYet(run: RunStart, status: RunSummary['status'], reason?: string): RunSummary {
  return {
    runId: run.runId,
    trigger: run.trigger,
    asOf: run.asOf,
    startedAt: run.startedAt,
    finishedAt: run.startedAt,
    status,
    ...(reason && { reason }),
    ...summaryCounts(emptyShardTally(0)),
    sources: {},
  };
}

/**
 * The `failed` summary of a planned run: what its checkpoints hold (the shards' and the final phase's),
 * so its users, positions and discrepancies are those it counted and recorded before it failed.
 */
async function failedSummary(plan: RunPlan, runState: RunStateStore, deps: RunDeps, reason: string): Promise<RunSummary> {
  const slots = [...plan.shards.keys(), finalSlot(plan)];
  const tallies = await Promise.all(slots.map((slot) => runState.loadTally(plan.runId, slot).catch(() => undefined)));
  const all = mergeTallies(tallies.filter((tally) => tally !== undefined));
  return {
    ...nothingYet(plan, 'failed', reason),
    ...summaryCounts(all),
    shards: Math.max(plan.shards.length, 1),
    finishedAt: deps.ports.clock.now().toISOString(),
  };
}
