import type { DiscrepancyState } from '../../domain/lifecycle';
import type { Verdict } from '../../domain/verdict';
import { type CoalesceLimits, coalescedBackOffice, coalescedReporting } from '../../policy/coalesce';
import { concurrencyLimit } from '../../policy/concurrency-limit';
import type { HistoryStore } from '../../ports/history';
import type { RunDeps, ShardControl } from '../../ports/run';
import type { RunPlan, RunStateStore, ShardTally } from '../../ports/run-state';
import { startOf } from '../listing-cursor';
import { openRunContext, type RunContext } from '../run-context';
import { emptyShardTally } from '../shard-tally';
import { checkPage } from './check-page';
import { PageWriter } from './page-writer';
import { noteReadHealth, PageReader } from './read-page';
import { applyPage, openShardState, type ShardState, syncSums } from './shard-state';
import { TotalsAhead } from './totals-ahead';

/** What a shard runs with: a run's ports, settings and hooks, its checkpoints stored (`runState` set). */
export type ShardDeps = RunDeps & { ports: { runState: RunStateStore } };

/**
 * How the pages in flight share their cheap reads: a hundred users a `POST /balances` (the back office
 * pages its answer; the adapter splits by `PAGE_SIZE`) and a Reporting `transfers`/`orders` query (an
 * `Exact` filter in a POST body), 500 order ids an `orders/transactions` query (the adapter's own
 * chunk), a batch waiting at most 40 ms for the next page's listing answer.
 */
export const COALESCE_LIMITS: CoalesceLimits = { backOfficeUsers: 100, reportingUsers: 100, orderIds: 500, waitMs: 40 };

/**
 * In a run that selects users, how many times `pageConcurrency` pages are read at once: most pages
 * then make only their cheap reads, joined with the other pages in flight, and a joined call goes out
 * as soon as it holds a hundred users rather than after its wait (seven pages of fifteen). A full run
 * (every user verified) joins nothing: its per-user reads are nearly all its calls, and a joined call
 * would only wait.
 */
export const JOINED_PAGES = 4;

/** The time left before the platform stops a worker, below which it hands over (two minutes). */
export const DEFAULT_HANDOVER_MARGIN_MS = 120_000;

/** Whether an invocation must stop and hand over now: less than its margin is left (never, without a remaining-time function). */
export function timeIsShort(control: ShardControl): boolean {
  return control.remainingMs !== undefined && control.remainingMs() < (control.marginMs ?? DEFAULT_HANDOVER_MARGIN_MS);
}

/** One shard opened for a run: its plan, its range, its deps, the run context and its running state. */
interface OpenShard {
  plan: RunPlan;
  shard: number;
  range: RunPlan['shards'][number];
  deps: ShardDeps;
  run: RunContext;
  state: ShardState;
}

/**
 * Reconciles one shard — a range of pages of the user listing — from its last checkpoint, page by
 * page: read (listing, balances, open orders, back office, history, several pages ahead) → check
 * (pure) → write (behind the reads) → every `checkpointEveryMs` a checkpoint. Returns `finished:
 * false` when it stopped early for lack of time (the caller hands the rest to a new invocation).
 */
export async function runShard(
  plan: RunPlan,
  shard: number,
  deps: ShardDeps,
  control: ShardControl = {},
  active?: Map<string, DiscrepancyState>,
): Promise<{ tally: ShardTally; finished: boolean }> {
  const range = plan.shards[shard];
  if (!range) throw new RangeError(`run ${plan.runId} has no shard ${shard}`);
  const tally = (await deps.ports.runState.loadTally(plan.runId, shard)) ?? emptyShardTally(range.firstPage);
  if (tally.done) return { tally, finished: true };
  const run = await openRunContext(plan, tally, deps, active);
  const open: OpenShard = { plan, shard, range, deps, run, state: openShardState(tally) };
  // Stored running totals serve the whole listing only: a run scoped to users reads their whole history.
  const totals = new TotalsAhead(plan.scope?.users ? undefined : deps.ports.history, plan.pageSize, range);
  const reader = pageReader(open, totals);
  const writer = pageWriter(open);
  const checking = { precision: run.precision, asOf: new Date(plan.asOf), until: range.until ?? plan.asOf };
  let lastCheckpoint = deps.ports.clock.now().getTime();
  reader.fill();
  for (let next = reader.next(); next; next = reader.next()) {
    const read = await next;
    // Past the end of the range: asked for before the listing said it was read.
    if (read.kind === 'end') continue;
    // The next page's reads start before this one is checked.
    reader.fill();
    noteReadHealth(run.health, read);
    const page = checkPage(read, checking);
    applyPage(open.state, page);
    const stored = page.history?.next && { key: totals.keyOf(page.page), chunk: page.history.next };
    if (read.kind === 'read') await writer.write(page.verdicts, stored);
    noteSources(open);
    const stopping = timeIsShort(control);
    const now = deps.ports.clock.now().getTime();
    if (stopping || now - lastCheckpoint >= deps.settings.checkpointEveryMs) {
      await flush(open, writer);
      await save(open);
      lastCheckpoint = now;
    }
    deps.hooks.onProgress?.({ users: tally.users, positions: tally.positions, discrepancies: tally.discrepancies });
    await control.afterPage?.(page.page);
    if (stopping) {
      await reader.abandon();
      return { tally, finished: false };
    }
  }
  await flush(open, writer);
  tally.done = true;
  noteSources(open);
  await save(open);
  return { tally, finished: true };
}

/** The shard's pages read from its cursor (absent: the range's start; `null`: read to its end), with its stored totals. */
function pageReader({ plan, range, deps, run, state }: OpenShard, totals: TotalsAhead): PageReader {
  const { settings, ports } = deps;
  const cursor = state.tally.cursor === null ? undefined : (state.tally.cursor ?? startOf(range));
  const selecting = selectsUsers(plan, settings.fullVerifyHours, ports.history);
  const pages = Math.max(1, settings.pageConcurrency);
  const context = {
    plan,
    range,
    reporting: ports.reporting,
    backOffice: ports.backOffice,
    breaker: run.breaker,
    health: run.health,
    backOfficeLimit: concurrencyLimit(settings.backOfficeConcurrency),
    totals,
    history: { asOf: new Date(plan.asOf), graceMs: settings.graceMs, overlapMs: settings.historyOverlapMs, rebuild: plan.rebuild },
    ...(selecting && {
      incremental: {
        now: Date.parse(plan.asOf),
        windowMs: settings.fullVerifyHours * 3_600_000,
        hasActive: (userId: string) => run.effects.hasActive(userId),
      },
      // Only the page reads share calls: the listing and the per-user reads pass through.
      joined: {
        reporting: coalescedReporting(ports.reporting, COALESCE_LIMITS),
        backOffice: coalescedBackOffice(ports.backOffice, COALESCE_LIMITS),
      },
      // More pages in flight, so that their joined reads fill up; the per-user reads no more at once than a full run's.
      reportingLimit: concurrencyLimit(2 * pages * plan.pageSize),
    }),
  };
  return new PageReader(context, { cursor, page: state.tally.nextPage }, selecting ? pages * JOINED_PAGES : pages);
}

/**
 * Whether the run verifies users in full only when they need it: `FULL_VERIFY_HOURS` set, the running
 * totals stored (they keep each user's last verification), and a whole run — not scoped, not a rebuild
 * (`--rebuild`, the weekly one), not a dry run (it stores nothing: every user is verified, as the next real run would need).
 */
export function selectsUsers(plan: RunPlan, fullVerifyHours: number, history: HistoryStore | undefined): boolean {
  return fullVerifyHours > 0 && history !== undefined && !plan.scope && !plan.rebuild && !plan.dryRun;
}

/** The shard's writes: each page's verdicts into the sink then the lifecycle; totals unless dry or scoped to users. */
function pageWriter({ plan, deps, run }: OpenShard): PageWriter {
  const settle = async (verdicts: Verdict[]) => {
    await run.sink.settle(verdicts);
    await run.effects.settle();
  };
  return new PageWriter(settle, plan.dryRun || plan.scope?.users ? undefined : deps.ports.history);
}

/** The sources' health, with the endpoints that answered since the last page, into the tally. */
function noteSources({ deps, run, state }: OpenShard): void {
  run.health.answeredAll(deps.hooks.endpoints?.drain());
  state.tally.sources = run.health.report();
}

/** Waits for every write, the sums written into the tally: a checkpoint after it never claims a page whose writes could be lost. */
async function flush({ state }: OpenShard, writer: PageWriter): Promise<void> {
  syncSums(state);
  await writer.flush();
}

/** Stores the tally as the shard's checkpoint (not in a dry run). */
async function save({ plan, shard, deps, state }: OpenShard): Promise<void> {
  if (!plan.dryRun) await deps.ports.runState.saveTally(plan.runId, shard, state.tally);
}
