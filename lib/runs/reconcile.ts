import { assetTotalsCheck, isCounted } from '../domain/checks/asset-totals';
import { toDiscrepancy } from '../domain/discrepancy';
import { Ledger, type TradeRecord, tradeFlows, transferFlows } from '../domain/ledger';
import { Amount } from '../domain/money';
import { Precision, type ToleranceTable } from '../domain/precision';
import { DEFAULT_SEVERITY_THRESHOLDS, type SeverityThresholds, severityOf } from '../domain/severity';
import type { MismatchVerdict, Verdict } from '../domain/verdict';
import type { DriftReport } from '../sources/drift';
import { newPagingNotes } from '../sources/paging';
import { SourceError, type SourceName } from '../sources/source-error';
import { checkVenues, MirroredBalances, type VenuePorts } from './check-venues';
import { CircuitBreaker, type Settled } from './circuit-breaker';
import type { AlertPublisher, BackOfficePort, BackOfficeUserBalances, Clock, DiscrepancyStore, ReportingPort, UserInfo } from './ports';
import { RunEffects } from './run-effects';
import { inScope, type RunScope } from './run-scope';
import { type DiscrepancyRef, emptyTallies, type RunSummary, type RunTrigger, SUMMARY_ITEM_LIMIT } from './run-summary';
import { SourceHealthTracker } from './source-health';
import { sourceTransition } from './source-transitions';
import { type RunContext, userVerdicts } from './user-verdicts';

/** What to run: its id, what started it and, optionally, the as-of time (default: now). */
export interface RunRequest {
  runId: string;
  trigger: RunTrigger;
  asOf?: Date;
  /** Check everything, record nothing, alert nothing. */
  dryRun?: boolean;
  /** Only these users, assets, checks, venues; left out, the whole book. */
  scope?: RunScope;
}

/** The ports a run talks to, passed in so tests can use fakes and `wiring.ts` the real ones. */
export interface ReconcileDeps {
  reporting: ReportingPort;
  backOffice: BackOfficePort;
  store: DiscrepancyStore;
  alerts: AlertPublisher;
  clock: Clock;
  /** Users reconciled together: one back-office call and one burst of Reporting calls. */
  userBatchSize: number;
  /** How long before the as-of a deposit or trade may be not yet reflected (in-flight), in ms (default 15 min). */
  graceMs?: number;
  /** Tolerances wider than the assets' scales, per check and asset. */
  tolerances?: ToleranceTable;
  /** Root-asset values from which a discrepancy is medium, high, critical. */
  severity?: SeverityThresholds;
  /** Unknown upstream fields noticed by the adapters; drained per run into the source health. */
  drift?: { drain(): DriftReport[] };
  /** The run's retry allowance across every upstream, refilled at the start of each run. */
  retryBudget?: { reset(): void };
  /** The venues to compare with the balances they mirror; left out, no venue is read. */
  venues?: VenuePorts;
  /** Alert only once a discrepancy was found in this many runs in a row (default 1). */
  alertAfterRuns?: number;
  /** Above this many new alerts in one run, one summary message instead (default 50). */
  stormThreshold?: number;
  /** How long a run holds the run lock at most (default 15 minutes, the Lambda limit). */
  lockTtlMs?: number;
  /** Failed calls in a row after which a source is not called again in the run (default 3). */
  breakerThreshold?: number;
  /** Called after each batch, for progress logs. */
  onProgress?: (progress: { users: number; positions: number; discrepancies: number }) => void;
}

/**
 * Reconciles every user of the book as of one time: lists the assets and rolls every trade into a
 * ledger, then streams the users in batches — their balances, open orders and transfers from
 * Reporting, their balances from the back office — runs every check, records each mismatch and
 * alerts on the ones seen for the first time; finally the per-asset totals and the venues. A
 * source that fails makes the checks that needed it `unknown` — never a discrepancy — and is
 * reported in the summary and by a source-health alert.
 */
export async function reconcile(request: RunRequest, deps: ReconcileDeps): Promise<RunSummary> {
  const startedAt = deps.clock.now();
  const asOf = request.asOf ?? startedAt;
  const dryRun = request.dryRun ?? false;
  const begun = await deps.store.beginRun({
    runId: request.runId,
    trigger: request.trigger,
    asOf: asOf.toISOString(),
    startedAt: startedAt.toISOString(),
  });
  // The same run delivered again (a retry, a duplicate event, a double click) changes nothing.
  if (!begun.started) return begun.previous ?? skipped(request, asOf, startedAt, 'this run is already in progress');
  // A dry run writes no discrepancy, so it needs no lock; every other run holds it while it writes.
  if (!dryRun && !(await deps.store.acquireLock(request.runId, deps.lockTtlMs ?? 15 * 60_000, startedAt))) {
    const summary = skipped(request, asOf, startedAt, 'another run holds the run lock');
    await deps.store.saveRun(summary);
    return summary;
  }
  try {
    return await reconcileLocked(request, deps, startedAt, asOf, dryRun);
  } catch (error) {
    // Leave a final status behind, so `GET /runs/{id}` does not show the run running for ever.
    const reason = `failed: ${error instanceof Error ? error.name : 'unknown error'}`;
    await deps.store
      .saveRun({ ...skipped(request, asOf, startedAt, reason), status: 'failed', finishedAt: deps.clock.now().toISOString() })
      .catch(() => undefined);
    throw error;
  } finally {
    if (!dryRun) await deps.store.releaseLock(request.runId);
  }
}

/** The venues a scope reads: those its `sources` name (all when it names none), and only the accounts of its users. */
function scopedVenues(venues: VenuePorts, scope: RunScope | undefined): VenuePorts | undefined {
  if (!scope) return venues;
  const wanted = (source: 'multimarkets' | 'indx') => !scope.sources || scope.sources.includes(source);
  const users = scope.users ? new Set(scope.users) : undefined;
  const mine = <T extends { userId: string }>(accounts: T[]) =>
    users ? accounts.filter((account) => users.has(account.userId)) : accounts;
  return {
    accounts: { multimarkets: mine(venues.accounts.multimarkets), indx: mine(venues.accounts.indx) },
    ...(wanted('multimarkets') && venues.multiMarkets ? { multiMarkets: venues.multiMarkets } : {}),
    ...(wanted('indx') && venues.indx ? { indx: venues.indx } : {}),
  };
}

/** A run that did not run: another delivery of it, or another run, is at work. */
function skipped(request: RunRequest, asOf: Date, startedAt: Date, reason: string): RunSummary {
  return {
    runId: request.runId,
    trigger: request.trigger,
    asOf: asOf.toISOString(),
    startedAt: startedAt.toISOString(),
    finishedAt: startedAt.toISOString(),
    status: 'skipped',
    reason,
    users: 0,
    positions: 0,
    checks: emptyTallies(),
    sources: {},
    discrepancies: { total: 0, opened: 0, items: [], truncated: false },
  };
}

async function reconcileLocked(
  request: RunRequest,
  deps: ReconcileDeps,
  startedAt: Date,
  asOf: Date,
  dryRun: boolean,
): Promise<RunSummary> {
  const health = new SourceHealthTracker();
  const effects = await RunEffects.start(deps.store, deps.alerts, request.runId, {
    alertAfterRuns: deps.alertAfterRuns ?? 1,
    stormThreshold: deps.stormThreshold ?? 50,
    dryRun,
  });
  deps.retryBudget?.reset();
  deps.drift?.drain();
  const checks = emptyTallies();
  const items: DiscrepancyRef[] = [];
  const counts = { users: 0, positions: 0, discrepancies: 0 };
  const rates = new Map<string, Amount>();
  let enumerated = true;

  const valueInRoot = (verdict: MismatchVerdict): Amount | undefined => {
    if (verdict.check === 'root-asset' || (verdict.check === 'presence' && verdict.asset === '*')) return verdict.difference;
    const rate = rates.get(verdict.asset);
    return rate ? verdict.difference.times(rate) : undefined;
  };

  const record = async (verdict: MismatchVerdict) => {
    const differenceInRoot = valueInRoot(verdict);
    const severity = severityOf(differenceInRoot, deps.severity ?? DEFAULT_SEVERITY_THRESHOLDS);
    const discrepancy = toDiscrepancy(verdict, request.runId, startedAt, { differenceInRoot, severity });
    counts.discrepancies++;
    if (items.length < SUMMARY_ITEM_LIMIT) {
      const { id, check, userId, asset, field, expected, actual, difference } = discrepancy;
      items.push({ id, check, userId, asset, field, expected, actual, difference, severity });
    }
    await effects.finding(discrepancy);
  };

  const scope = request.scope;
  const settleVerdicts = async (all: Verdict[]) => {
    const verdicts = scope ? all.filter((verdict) => inScope(scope, verdict)) : all;
    for (const verdict of verdicts) {
      checks[verdict.check][verdict.outcome]++;
      effects.match(verdict);
    }
    await Promise.all(verdicts.filter((verdict) => verdict.outcome === 'mismatch').map(record));
  };

  const breaker = new CircuitBreaker(deps.breakerThreshold ?? 3);
  const mirrored = deps.venues ? new MirroredBalances(deps.venues.accounts) : undefined;
  const ledger = new Ledger(asOf, deps.graceMs ?? 15 * 60_000);
  const assetSums = new Map<string, { total: Amount; users: number }>();
  let assetSumsComplete = true;
  let lastProgress = 0;

  const reconcileBatch = async (users: UserInfo[], run: RunContext, assetIds: string[]) => {
    const userIds = users.map((user) => user.userId);
    const [balances, openOrders, transfers, backOffice] = await Promise.all([
      Promise.all(users.map((user) => breaker.call('reporting', () => deps.reporting.userBalances(user.userId)))),
      Promise.all(users.map((user) => breaker.call('reporting', () => deps.reporting.openOrders(user.userId)))),
      breaker.call('reporting', () => deps.reporting.transfers(userIds)),
      breaker.call('backoffice', () => deps.backOffice.balances(userIds, assetIds)),
    ]);
    health.note('reporting', transfers);
    health.note('backoffice', backOffice);
    if (transfers.ok) for (const row of transfers.value) for (const flow of transferFlows(row)) ledger.add(flow);
    const backOfficeByUser = backOffice.ok ? new Map(backOffice.value.map((entry) => [entry.userId, entry])) : undefined;
    const verdicts: Verdict[] = [];
    users.forEach((user, index) => {
      const userBalances = balances[index] as Settled<Awaited<ReturnType<ReportingPort['userBalances']>>>;
      health.note('reporting', userBalances);
      health.note('reporting', openOrders[index] as Settled<unknown>);
      mirrored?.note(user.userId, userBalances);
      const userTransfers: Settled<typeof transfers extends Settled<infer T> ? T : never> = transfers.ok
        ? { ok: true, value: transfers.value.filter((row) => row.userId === user.userId) }
        : transfers;
      const userBackOffice: Settled<BackOfficeUserBalances | undefined> = backOffice.ok
        ? { ok: true, value: backOfficeByUser?.get(user.userId) }
        : backOffice;
      verdicts.push(
        ...userVerdicts(
          {
            user,
            balances: userBalances,
            openOrders: openOrders[index] as Settled<never[]>,
            transfers: userTransfers,
            backOffice: userBackOffice,
          },
          run,
        ),
      );
      if (!userBalances.ok) {
        if (isCounted(user.roles)) assetSumsComplete = false;
        return;
      }
      counts.positions += userBalances.value.length;
      for (const row of userBalances.value) if (row.rate && !rates.has(row.asset)) rates.set(row.asset, row.rate);
      if (!isCounted(user.roles)) return;
      for (const row of userBalances.value) {
        const sum = assetSums.get(row.asset) ?? { total: Amount.ZERO, users: 0 };
        assetSums.set(row.asset, { total: sum.total.plus(row.amount), users: sum.users + 1 });
      }
    });
    await settleVerdicts(verdicts);
    counts.users += users.length;
    const progress = { users: counts.users, positions: counts.positions, discrepancies: counts.discrepancies };
    deps.onProgress?.(progress);
    if (!dryRun && deps.clock.now().getTime() - lastProgress >= 2_000) {
      lastProgress = deps.clock.now().getTime();
      await deps.store.progress?.(request.runId, progress);
    }
  };

  try {
    const assets = await deps.reporting.assets();
    health.used('reporting');
    const precision = new Precision(new Map(assets.map((asset) => [asset.assetId, asset.scale])), deps.tolerances);
    const assetIds = assets.map((asset) => asset.assetId);
    const rollTrades = (rows: TradeRecord[]) => {
      for (const row of rows) for (const flow of tradeFlows(row)) ledger.add(flow);
    };
    const trades = await breaker.call('reporting', () => deps.reporting.trades(assetIds, rollTrades));
    health.note('reporting', trades);
    const run: RunContext = { ledger, tradesComplete: trades.ok, precision, asOf };

    const listing = newPagingNotes();
    let pending: UserInfo[] = [];
    for await (const page of deps.reporting.users(listing)) {
      pending.push(...(scope?.users ? page.filter((user) => scope.users?.includes(user.userId)) : page));
      while (pending.length >= deps.userBatchSize) {
        await reconcileBatch(pending.slice(0, deps.userBatchSize), run, assetIds);
        pending = pending.slice(deps.userBatchSize);
      }
    }
    if (pending.length > 0) await reconcileBatch(pending, run, assetIds);
    const listingMoved = listing.totalChanged || listing.repeatedRows > 0;
    if (listingMoved) {
      // Offset paging moved under the read: some users may have been skipped, so the run cannot claim completeness.
      const what = listing.totalChanged ? 'the user total changed' : `${listing.repeatedRows} user row(s) repeated`;
      health.failed(
        'reporting',
        new SourceError('reporting', 'users', 'inconsistent-paging', `${what} during the listing; some users may be unchecked`),
      );
    }
    await settleVerdicts(
      assets.map((asset) =>
        assetSumsComplete && !listingMoved && !scope?.users
          ? assetTotalsCheck(asset.assetId, asset.total, assetSums.get(asset.assetId) ?? { total: Amount.ZERO, users: 0 }, precision)
          : {
              check: 'asset-totals',
              outcome: 'unknown',
              userId: '*',
              asset: asset.assetId,
              reason: 'not every counted user could be read',
            },
      ),
    );
    const venues = deps.venues && scopedVenues(deps.venues, scope);
    if (venues && mirrored) {
      await settleVerdicts(await checkVenues(venues, (userId, asset) => mirrored.lookup(userId, asset), precision, breaker, health));
    }
  } catch (error) {
    if (!(error instanceof SourceError)) throw error;
    health.failed(error.source, error, true);
    enumerated = false;
  }

  await effects.finish(deps.clock.now().toISOString());
  for (const report of deps.drift?.drain() ?? []) health.drifted(report);
  const sources = health.report();
  const summary: RunSummary = {
    runId: request.runId,
    trigger: request.trigger,
    asOf: asOf.toISOString(),
    startedAt: startedAt.toISOString(),
    finishedAt: deps.clock.now().toISOString(),
    status: counts.users === 0 && !enumerated ? 'failed' : health.anyFailed ? 'partial' : 'complete',
    ...(request.scope && { scope: request.scope }),
    users: counts.users,
    positions: counts.positions,
    checks,
    sources,
    discrepancies: {
      total: counts.discrepancies,
      opened: effects.counts.opened + effects.counts.reopened,
      resolved: effects.counts.resolved,
      escalated: effects.counts.escalated,
      items,
      truncated: counts.discrepancies > items.length,
    },
  };
  if (dryRun) {
    await deps.store.saveRun({ ...summary, dryRun: true });
    return { ...summary, dryRun: true };
  }
  const remembered = await deps.store.sourceStates();
  const finishedAt = summary.finishedAt;
  for (const [name, entry] of Object.entries(sources) as [SourceName, NonNullable<(typeof sources)[SourceName]>][]) {
    const previous = remembered[name];
    const { alert, next } = sourceTransition(previous, entry, finishedAt);
    if (alert === 'unhealthy' || alert === 'drifted') {
      await deps.alerts.sourceUnhealthy({
        source: name,
        runId: request.runId,
        failures: entry.failures,
        firstError: entry.firstError ?? '',
        drift: entry.drift ?? [],
      });
    }
    if (alert === 'recovered')
      await deps.alerts.sourceRecovered({ source: name, runId: request.runId, failingSince: previous?.since ?? finishedAt });
    if (alert || !previous) await deps.store.saveSourceState(name, next);
  }
  await deps.store.saveRun(summary);
  return summary;
}
