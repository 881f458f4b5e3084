import type { CheckId } from '../domain/check-id';
import { amountSplitCheck } from '../domain/checks/amount-split';
import { crossSourceCheck, type TotalAndLocked } from '../domain/checks/cross-source';
import { toDiscrepancy } from '../domain/discrepancy';
import type { AssetScales } from '../domain/scale';
import type { MismatchVerdict, Verdict } from '../domain/verdict';
import type { DriftReport } from '../sources/drift';
import { newPagingNotes } from '../sources/paging';
import { SourceError } from '../sources/source-error';
import { checkVenues, MirroredBalances, type VenuePorts } from './check-venues';
import { CircuitBreaker, type Settled } from './circuit-breaker';
import type {
  AlertPublisher,
  BackOfficePort,
  BackOfficeUserBalances,
  Clock,
  DiscrepancyStore,
  ReportingBalance,
  ReportingPort,
  UserInfo,
} from './ports';
import { type DiscrepancyRef, emptyTallies, type RunSummary, type RunTrigger, SUMMARY_ITEM_LIMIT } from './run-summary';
import { SourceHealthTracker } from './source-health';

/** What to run: its id and what started it. */
export interface RunRequest {
  runId: string;
  trigger: RunTrigger;
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
  /** Unknown upstream fields noticed by the adapters; drained per run into the source health. */
  drift?: { drain(): DriftReport[] };
  /** The run's retry allowance across every upstream, refilled at the start of each run. */
  retryBudget?: { reset(): void };
  /** The venues to compare with the balances they mirror; left out, no venue is read. */
  venues?: VenuePorts;
  /** Failed calls in a row after which a source is not called again in the run (default 3). */
  breakerThreshold?: number;
  /** Called after each batch, for progress logs. */
  onProgress?: (progress: { users: number; positions: number; discrepancies: number }) => void;
}

/**
 * Reconciles every user of the book: lists assets and users from Reporting, reads each batch of
 * users from Reporting and the back office, runs the checks, records each mismatch and alerts on
 * the ones seen for the first time. A source that fails makes the checks that needed it
 * `unknown` for the affected users — never a discrepancy — and is reported in the summary and
 * by a source-health alert.
 */
export async function reconcile(request: RunRequest, deps: ReconcileDeps): Promise<RunSummary> {
  const startedAt = deps.clock.now();
  const health = new SourceHealthTracker();
  deps.retryBudget?.reset();
  deps.drift?.drain();
  const checks = emptyTallies();
  const items: DiscrepancyRef[] = [];
  const counts = { users: 0, positions: 0, discrepancies: 0, opened: 0 };
  let enumerated = true;

  const count = (verdict: Verdict) => {
    checks[verdict.check][verdict.outcome]++;
  };

  const record = async (verdict: MismatchVerdict) => {
    const discrepancy = toDiscrepancy(verdict, request.runId, startedAt);
    counts.discrepancies++;
    if (items.length < SUMMARY_ITEM_LIMIT) {
      const { id, check, userId, asset, field, expected, actual, difference } = discrepancy;
      items.push({ id, check, userId, asset, field, expected, actual, difference });
    }
    if ((await deps.store.record(discrepancy)) === 'opened') {
      counts.opened++;
      await deps.alerts.discrepancyOpened(discrepancy);
    }
  };

  const settleVerdicts = async (verdicts: Verdict[]) => {
    for (const verdict of verdicts) count(verdict);
    await Promise.all(verdicts.filter((verdict) => verdict.outcome === 'mismatch').map(record));
  };

  const breaker = new CircuitBreaker(deps.breakerThreshold ?? 3);
  const mirrored = deps.venues ? new MirroredBalances(deps.venues.accounts) : undefined;
  const reconcileBatch = async (users: UserInfo[], scales: AssetScales, assetIds: string[]) => {
    const userIds = users.map((user) => user.userId);
    const [reportingResults, backOfficeResult] = await Promise.all([
      Promise.all(users.map((user) => breaker.call('reporting', () => deps.reporting.userBalances(user.userId)))),
      breaker.call('backoffice', () => deps.backOffice.balances(userIds, assetIds)),
    ]);
    health.note('backoffice', backOfficeResult);
    const backOfficeByUser = backOfficeResult.ok ? indexBackOffice(backOfficeResult.value) : undefined;
    const verdicts: Verdict[] = [];
    users.forEach((user, index) => {
      const reporting = reportingResults[index] as Settled<ReportingBalance[]>;
      health.note('reporting', reporting);
      mirrored?.note(user.userId, reporting);
      verdicts.push(...userVerdicts(user.userId, reporting, backOfficeResult, backOfficeByUser, scales));
      if (reporting.ok) counts.positions += reporting.value.length;
    });
    await settleVerdicts(verdicts);
    counts.users += users.length;
    deps.onProgress?.({ users: counts.users, positions: counts.positions, discrepancies: counts.discrepancies });
  };

  try {
    const assets = await deps.reporting.assets();
    health.used('reporting');
    const scales: AssetScales = new Map(assets.map((asset) => [asset.assetId, asset.scale]));
    const assetIds = assets.map((asset) => asset.assetId);
    const listing = newPagingNotes();
    let pending: UserInfo[] = [];
    for await (const page of deps.reporting.users(listing)) {
      pending.push(...page);
      while (pending.length >= deps.userBatchSize) {
        await reconcileBatch(pending.slice(0, deps.userBatchSize), scales, assetIds);
        pending = pending.slice(deps.userBatchSize);
      }
    }
    if (pending.length > 0) await reconcileBatch(pending, scales, assetIds);
    if (deps.venues && mirrored) {
      await settleVerdicts(await checkVenues(deps.venues, (userId, asset) => mirrored.lookup(userId, asset), scales, breaker, health));
    }
    if (listing.totalChanged || listing.repeatedRows > 0) {
      // Offset paging moved under the read: some users may have been skipped, so the run cannot claim completeness.
      const what = listing.totalChanged ? 'the user total changed' : `${listing.repeatedRows} user row(s) repeated`;
      health.failed(
        'reporting',
        new SourceError('reporting', 'users', 'inconsistent-paging', `${what} during the listing; some users may be unchecked`),
      );
    }
  } catch (error) {
    if (!(error instanceof SourceError)) throw error;
    health.failed(error.source, error, true);
    enumerated = false;
  }

  for (const report of deps.drift?.drain() ?? []) health.drifted(report);
  const sources = health.report();
  const summary: RunSummary = {
    runId: request.runId,
    trigger: request.trigger,
    asOf: startedAt.toISOString(),
    startedAt: startedAt.toISOString(),
    finishedAt: deps.clock.now().toISOString(),
    status: counts.users === 0 && !enumerated ? 'failed' : health.anyFailed ? 'partial' : 'complete',
    users: counts.users,
    positions: counts.positions,
    checks,
    sources,
    discrepancies: {
      total: counts.discrepancies,
      opened: counts.opened,
      items,
      truncated: counts.discrepancies > items.length,
    },
  };
  for (const [source, entry] of Object.entries(sources)) {
    if (entry.failures === 0 && !entry.drift) continue;
    await deps.alerts.sourceUnhealthy({
      source: source as keyof typeof sources,
      runId: request.runId,
      failures: entry.failures,
      firstError: entry.firstError ?? '',
      drift: entry.drift ?? [],
    });
  }
  await deps.store.saveRun(summary);
  return summary;
}

/** The verdicts of both checks for one user, `unknown` wherever a needed source failed. */
function userVerdicts(
  userId: string,
  reporting: Settled<ReportingBalance[]>,
  backOffice: Settled<BackOfficeUserBalances[]>,
  backOfficeByUser: Map<string, BackOfficeUserBalances> | undefined,
  scales: AssetScales,
): Verdict[] {
  if (!reporting.ok) {
    const reason = `reporting unavailable: ${reporting.error.failure}`;
    return (['amount-split', 'cross-source'] as CheckId[]).map((check) => ({ check, outcome: 'unknown', userId, asset: '*', reason }));
  }
  const verdicts: Verdict[] = reporting.value.map((row) => amountSplitCheck({ userId, ...row }, scales));
  if (!backOffice.ok) {
    verdicts.push({
      check: 'cross-source',
      outcome: 'unknown',
      userId,
      asset: '*',
      reason: `backoffice unavailable: ${backOffice.error.failure}`,
    });
    return verdicts;
  }
  const entry = backOfficeByUser?.get(userId);
  if (!entry?.found) {
    verdicts.push({ check: 'cross-source', outcome: 'unknown', userId, asset: '*', reason: 'user not found in back office' });
    return verdicts;
  }
  const reportingByAsset = new Map<string, TotalAndLocked>(reporting.value.map((row) => [row.asset, row]));
  const assets = new Set([...reportingByAsset.keys(), ...entry.balances.keys()]);
  for (const asset of assets) {
    verdicts.push(
      crossSourceCheck({ userId, asset, backOffice: entry.balances.get(asset), reporting: reportingByAsset.get(asset) }, scales),
    );
  }
  return verdicts;
}

function indexBackOffice(results: BackOfficeUserBalances[]): Map<string, BackOfficeUserBalances> {
  return new Map(results.map((result) => [result.userId, result]));
}
