import { isCounted } from '../domain/checks/asset-totals';
import type { OpenOrderRecord } from '../domain/checks/locked-orders';
import { type Discrepancy, toDiscrepancy } from '../domain/discrepancy';
import type { TransferRecord } from '../domain/ledger';
import type { DiscrepancyState } from '../domain/lifecycle';
import { Amount } from '../domain/money';
import { Precision, type ToleranceTable } from '../domain/precision';
import { DEFAULT_SEVERITY_THRESHOLDS, type SeverityThresholds, severityOf } from '../domain/severity';
import type { MismatchVerdict, Verdict } from '../domain/verdict';
import { readBatchHistory } from '../history/batch-history';
import type { AlertOutbox, AlertPublisher } from '../ports/alerts';
import type { Clock } from '../ports/clock';
import type { HistoryChunk, HistoryStore } from '../ports/history';
import type { RunDeps, ShardControl } from '../ports/run';
import type { ListingCursor, RunPlan, RunStateStore, ShardTally } from '../ports/run-state';
import { SUMMARY_ITEM_LIMIT } from '../ports/run-summary';
import type { DiscrepancyStore } from '../ports/store';
import type {
  AnsweredEndpoint,
  BackOfficeAvailable,
  BackOfficePort,
  BackOfficeUserBalances,
  ReportingPort,
  UserInfo,
} from '../ports/upstream';
import { CircuitBreaker, type Settled } from './circuit-breaker';
import { concurrencyLimit } from './concurrency-limit';
import { type ListingStep, nextStep, startOf } from './listing-cursor';
import { RunEffects } from './run-effects';
import { inScope } from './run-scope';
import { discrepancyRef } from './run-summary';
import { emptyShardTally, LISTING_NOTE_LIMIT, noteUnchecked, RunningAssetSums, uncheckedOf } from './shard-tally';
import { SourceHealthTracker } from './source-health';
import { userVerdicts } from './user-verdicts';

/** What a shard runs with: a run's ports, settings and hooks, its checkpoints stored (`runState` set). */
export type ShardDeps = RunDeps & { ports: { runState: RunStateStore } };

/** The time left before the platform stops a worker, below which it hands over (two minutes). */
export const DEFAULT_HANDOVER_MARGIN_MS = 120_000;

/** Whether an invocation must stop and hand over now: less than its margin is left (never, without a remaining-time function). */
export function timeIsShort(control: ShardControl): boolean {
  return control.remainingMs !== undefined && control.remainingMs() < (control.marginMs ?? DEFAULT_HANDOVER_MARGIN_MS);
}

/** A write awaited later (at the flush): its failure must not be reported as unhandled meanwhile. */
function keepForFlush(write: Promise<void>): Promise<void> {
  write.catch(() => undefined);
  return write;
}

/** One listing answer as a shard read it: the page it numbers, the cursor it was asked from, and whether the rest of the range is left unread. */
type Listed = ListingStep & {
  page: number;
  at: ListingCursor;
  listing: Settled<Awaited<ReturnType<ReportingPort['usersPage']>>>;
  unread: boolean;
};

/** Pages whose running totals are read in one call, and written in one. */
const TOTALS_PER_CALL = 10;

/** Pages whose lifecycle writes may wait behind the reads before the reads wait for them. */
const MAX_WRITE_BACKLOG = 8;

/** The checkpoint key of a page's running totals: the page size is part of it, so a new size starts fresh. */
export const totalsKey = (pageSize: number, page: number) => `totals#${pageSize}#${page}`;

/**
 * Reconciles one shard — a range of pages of the user listing — from its last checkpoint: per
 * page, the users' balances and open orders (per user), their history (incremental from the
 * running totals), their back-office balances; every check; the lifecycle writes; the new running
 * totals; and every `checkpointEveryMs` a checkpoint. Returns `finished: false` when it stopped early for lack of time
 * (the caller hands the rest to a new invocation).
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
  const asOf = new Date(plan.asOf);
  const precision = new Precision(new Map(plan.assets.map((asset) => [asset.assetId, asset.scale])), deps.settings.tolerances);
  const health = SourceHealthTracker.from(tally.sources);
  const breaker = new CircuitBreaker(deps.settings.breakerThreshold);
  const backOfficeLimit = concurrencyLimit(deps.settings.backOfficeConcurrency);
  const effects = await RunEffects.start(
    deps.ports.discrepancies,
    plan.runId,
    { alertAfterRuns: deps.settings.alertAfterRuns, dryRun: plan.dryRun, startedAt: plan.startedAt, clock: deps.ports.clock },
    tally.effects,
    active,
  );
  const scope = plan.scope;
  const graceMs = deps.settings.graceMs;

  const sink = new VerdictSink(plan, tally, effects, deps.settings);
  const settle = async (verdicts: Verdict[]) => {
    await sink.settle(verdicts);
    await effects.settle();
  };

  /**
   * A page's stored running totals. Pages are read in order, so the totals of the next few pages
   * are read with it in one call; each waits in `totalsAhead` until its page is read.
   */
  const totalsAhead = new Map<number, Promise<HistoryChunk | undefined>>();
  const storedTotalsOf = (page: number): Promise<HistoryChunk | undefined> => {
    const history = deps.ports.history;
    if (!history || scope?.users) return Promise.resolve(undefined);
    if (!totalsAhead.has(page)) {
      // Past the plan's estimate of the shard's pages (a page of fresh users may be shorter than the page size), one at a time.
      const ahead = Math.max(1, Math.min(TOTALS_PER_CALL, (range.endPage ?? Number.POSITIVE_INFINITY) - page));
      const pages = Array.from({ length: ahead }, (_, i) => page + i);
      const loaded = history.load(pages.map((p) => totalsKey(plan.pageSize, p)));
      for (const p of pages) {
        const one = loaded.then((chunks) => chunks.get(totalsKey(plan.pageSize, p)));
        one.catch(() => undefined); // a page never read (the worker stopped) must not reject unheard
        totalsAhead.set(p, one);
      }
    }
    const stored = totalsAhead.get(page) as Promise<HistoryChunk | undefined>;
    totalsAhead.delete(page);
    return stored;
  };

  /**
   * The listing read on from the shard's cursor, one request after the other (each starts from the key the
   * one before it reached): what each answered, the users it gave the shard and where the read goes on.
   */
  let cursor: ListingCursor | undefined = tally.cursor === null ? undefined : (tally.cursor ?? startOf(range));
  let pageNumber = tally.nextPage;
  const list = async (): Promise<Listed | undefined> => {
    const at = cursor;
    if (!at) return undefined;
    const page = pageNumber++;
    const listing = await breaker.call('reporting', () =>
      deps.ports.reporting.usersPage({ ...(at.from && { from: at.from }), to: plan.asOf }, at.page, plan.askedPageSize),
    );
    health.note('reporting', listing);
    if (!listing.ok) {
      cursor = undefined;
      return { page, at, listing, fresh: [], next: undefined, notes: [], broken: false, unread: true };
    }
    const step = nextStep(at, range, listing.value);
    cursor = step.next;
    return { page, at, listing, ...step, unread: step.broken };
  };

  /** Everything read for one page, before any check runs (so the next page's reads can overlap this page's checks). */
  const read = async (listed: Listed) => {
    const { page, listing } = listed;
    const users = scope?.users ? listed.fresh.filter((user) => scope.users?.includes(user.userId)) : listed.fresh;
    if (users.length === 0) return { page, listed, listing };
    const userIds = users.map((user) => user.userId);
    const storedTotals = storedTotalsOf(page);
    const balancesRead = Promise.all(users.map((user) => breaker.call('reporting', () => deps.ports.reporting.userBalances(user.userId))));
    const openOrdersRead = Promise.all(users.map((user) => breaker.call('reporting', () => deps.ports.reporting.openOrders(user.userId))));
    const backOfficeRead = breaker.call('backoffice', () => deps.ports.backOffice.balances(userIds));
    // Through the limit, then the breaker: a back office that fails stops being called after a few users, not after all.
    const availableRead = Promise.all(
      users.map((user) => backOfficeLimit(() => breaker.call('backoffice', () => deps.ports.backOffice.available(user.userId)))),
    );
    const openIds = openOrdersRead.then((orders) => {
      const ids = new Map<string, string[]>();
      users.forEach((user, i) => {
        const read = orders[i] as Settled<OpenOrderRecord[]>;
        if (read.ok)
          ids.set(
            user.userId,
            read.value.map((order) => order.orderId),
          );
      });
      return ids;
    });
    // History is read alongside the balances; only its fills wait for the resting orders.
    const historyRead = storedTotals.then((stored) =>
      breaker.call('reporting', () =>
        readBatchHistory(
          userIds,
          openIds,
          stored,
          { asOf, graceMs, overlapMs: deps.settings.historyOverlapMs, rebuild: plan.rebuild },
          deps.ports.reporting,
        ),
      ),
    );
    const [balances, openOrders, backOffice, available, history] = await Promise.all([
      balancesRead,
      openOrdersRead,
      backOfficeRead,
      availableRead,
      historyRead,
    ]);
    health.note('reporting', history);
    return { page, listed, listing, users, balances, openOrders, backOffice, available, history };
  };

  // Summed as exact amounts here, written into the tally as strings when it is checkpointed.
  const assetSums = new RunningAssetSums(tally.assetSums);
  const outsideSums = new RunningAssetSums(tally.outsideSums ?? {});
  const syncSums = () => {
    tally.assetSums = assetSums.toJSON();
    tally.outsideSums = outsideSums.toJSON();
  };
  /**
   * The pages' writes — lifecycle effects in page order, running totals side by side — go on while
   * the next pages are read and checked; a checkpoint (and the end) waits for them all, so a
   * checkpoint never claims a page whose writes could be lost. At most `MAX_WRITE_BACKLOG` pages wait.
   */
  let effectsChain: Promise<void> = Promise.resolve();
  let backlog = 0;
  const writes: Promise<void>[] = [];
  /** Pages' new running totals not yet written: written `TOTALS_PER_CALL` at a time, and at every flush. */
  let totalsToWrite = new Map<string, HistoryChunk>();
  const writeTotals = () => {
    if (totalsToWrite.size === 0 || !deps.ports.history) return;
    writes.push(keepForFlush(deps.ports.history.save(totalsToWrite)));
    totalsToWrite = new Map();
  };
  const flush = async () => {
    syncSums();
    writeTotals();
    await effectsChain;
    await Promise.all(writes.splice(0));
  };
  const check = async (reads: Awaited<ReturnType<typeof read>>) => {
    const { listed } = reads;
    if (listed.unread) {
      tally.assetSumsComplete = false;
      uncheckedOf(tally).listing.push({ ...(listed.at.from && { from: listed.at.from }), to: range.until ?? plan.asOf });
    }
    if (!listed.listing.ok) return;
    tally.listingMoved.push(...listed.notes.slice(0, LISTING_NOTE_LIMIT - tally.listingMoved.length));
    tally.listed = (tally.listed ?? 0) + listed.fresh.length;
    if (!('users' in reads)) return;
    const { users, balances, openOrders, backOffice, available, history } = reads as Required<typeof reads>;
    health.note('backoffice', backOffice);
    const byUser = backOffice.ok ? new Map(backOffice.value.map((entry) => [entry.userId, entry])) : undefined;
    const verdicts: Verdict[] = [];
    const failedUsers: string[] = [];
    const run = history.ok
      ? { ledger: history.value.ledger, tradesComplete: true, precision, asOf }
      : { ledger: undefined as never, tradesComplete: false, precision, asOf };
    users.forEach((user: UserInfo, index: number) => {
      const userBalances = balances[index] as Settled<Awaited<ReturnType<ReportingPort['userBalances']>>>;
      health.note('reporting', userBalances);
      health.note('reporting', openOrders[index] as Settled<unknown>);
      const transfers: Settled<TransferRecord[]> = history.ok
        ? { ok: true, value: history.value.transfers.get(user.userId) ?? [] }
        : history;
      const userBackOffice: Settled<BackOfficeUserBalances | undefined> = backOffice.ok
        ? { ok: true, value: byUser?.get(user.userId) }
        : backOffice;
      const userAvailable = available[index] as Settled<BackOfficeAvailable>;
      health.note('backoffice', userAvailable);
      const read = [userBalances, openOrders[index] as Settled<unknown>, userAvailable, history, backOffice];
      if (read.some((one) => !one.ok)) failedUsers.push(user.userId);
      verdicts.push(
        ...userVerdicts(
          {
            user,
            balances: userBalances,
            openOrders: openOrders[index] as Settled<never[]>,
            transfers,
            backOffice: userBackOffice,
            backOfficeAvailable: userAvailable,
          },
          run,
        ),
      );
      if (!userBalances.ok) {
        if (isCounted(user.roles)) tally.assetSumsComplete = false;
        return;
      }
      tally.positions += userBalances.value.length;
      for (const row of userBalances.value) if (row.rate && !tally.rates[row.asset]) tally.rates[row.asset] = row.rate.toString();
      // A user whose roles the Reporting totals leave out holds funds outside them: information, not a finding.
      if (isCounted(user.roles)) for (const row of userBalances.value) assetSums.add(row.asset, row.amount);
      else for (const row of userBalances.value) if (!row.amount.isZero()) outsideSums.add(row.asset, row.amount);
    });
    noteUnchecked(tally, failedUsers);
    backlog++;
    effectsChain = effectsChain.then(async () => {
      await settle(verdicts);
      backlog--;
    });
    effectsChain.catch(() => undefined); // a failed write surfaces at the next flush, not as an unhandled rejection
    if (backlog > MAX_WRITE_BACKLOG) await effectsChain;
    tally.users += users.length;
    if (history.ok) {
      tally.historyRows += history.value.rows;
      tally.incrementalUsers += history.value.incrementalUsers;
      if (!plan.dryRun && deps.ports.history && !scope?.users && history.value.next) {
        totalsToWrite.set(totalsKey(plan.pageSize, reads.page), history.value.next);
        if (totalsToWrite.size >= TOTALS_PER_CALL) writeTotals();
      }
    }
  };

  const concurrency = Math.max(1, deps.settings.pageConcurrency);
  let lastCheckpoint = deps.ports.clock.now().getTime();
  // Checks and checkpoints stay in page order; each listing request waits for the one before it (it starts from its key).
  const inFlight: Promise<Awaited<ReturnType<typeof read>> | undefined>[] = [];
  let listingChain: Promise<unknown> = Promise.resolve();
  const fill = () => {
    while (inFlight.length < concurrency && cursor) {
      const listed = listingChain.then(list);
      listingChain = listed.catch(() => undefined);
      // The page's users are read while the next listing request goes out; awaited in order below, a page abandoned must not reject unheard.
      const reads = listed.then((one) => one && read(one));
      reads.catch(() => undefined);
      inFlight.push(reads);
    }
  };
  fill();
  while (inFlight.length > 0) {
    const reads = await (inFlight.shift() as Promise<Awaited<ReturnType<typeof read>> | undefined>);
    // Past the end of the range: asked for before the listing said it was read.
    if (!reads) continue;
    // The next page's reads start before this one is checked.
    fill();
    await check(reads);
    tally.nextPage = reads.page + 1;
    tally.cursor = reads.listed.next ?? null;
    health.answeredAll(deps.hooks.endpoints?.drain());
    tally.sources = health.report();
    const stopping = timeIsShort(control);
    const now = deps.ports.clock.now().getTime();
    if (stopping || now - lastCheckpoint >= deps.settings.checkpointEveryMs) {
      await flush();
      if (!plan.dryRun) await deps.ports.runState.saveTally(plan.runId, shard, tally);
      lastCheckpoint = now;
    }
    deps.hooks.onProgress?.({ users: tally.users, positions: tally.positions, discrepancies: tally.discrepancies });
    await control.afterPage?.(reads.page);
    if (stopping) {
      await Promise.allSettled(inFlight);
      return { tally, finished: false };
    }
  }
  await flush();
  tally.done = true;
  health.answeredAll(deps.hooks.endpoints?.drain());
  tally.sources = health.report();
  if (!plan.dryRun) await deps.ports.runState.saveTally(plan.runId, shard, tally);
  return { tally, finished: true };
}

/**
 * Where verdicts go, in a shard and in the run's final phase alike: counted per check and outcome;
 * each mismatch valued in the root asset, graded, listed (up to the summary's limit) and handed to
 * the lifecycle; each match offered to the lifecycle to resolve.
 */
export class VerdictSink {
  constructor(
    private readonly plan: RunPlan,
    private readonly tally: ShardTally,
    private readonly effects: RunEffects,
    private readonly settings: { severity: SeverityThresholds },
  ) {}

  async settle(all: Verdict[]): Promise<void> {
    const scope = this.plan.scope;
    const verdicts = scope ? all.filter((verdict) => inScope(scope, verdict)) : all;
    for (const verdict of verdicts) {
      this.tally.checks[verdict.check][verdict.outcome]++;
      this.effects.match(verdict);
    }
    await this.effects.findings(verdicts.filter((verdict) => verdict.outcome === 'mismatch').map((verdict) => this.record(verdict)));
  }

  private record(verdict: MismatchVerdict): Discrepancy {
    const rate = this.tally.rates[verdict.asset];
    // Root-asset figures are already in the root asset; every other finding is per asset (presence included).
    const differenceInRoot =
      verdict.check === 'root-asset' ? verdict.difference : rate ? verdict.difference.times(Amount.parse(rate)) : undefined;
    const severity = severityOf(differenceInRoot, this.settings.severity);
    const discrepancy = toDiscrepancy(verdict, this.plan.runId, new Date(this.plan.startedAt), { differenceInRoot, severity });
    this.tally.discrepancies++;
    if (this.tally.items.length < SUMMARY_ITEM_LIMIT) this.tally.items.push(discrepancyRef(discrepancy));
    return discrepancy;
  }
}
