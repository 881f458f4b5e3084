import type { Discrepancy } from '../../lib/domain/discrepancy';
import { type DiscrepancyState, type LifecycleEvent, openedEvent } from '../../lib/domain/lifecycle';
import { ConcurrentUpdateError, LockLostError } from '../../lib/errors';
import type { AlertOutbox, AlertPublisher, IdentifiedAlert, OwedRow, SourceProblem } from '../../lib/ports/alerts';
import type { RunSummary } from '../../lib/ports/run-summary';
import type { DiscrepancyStore, DiscrepancyWrite, RunStart, StoredSourceState } from '../../lib/ports/store';
import type { SourceName } from '../../lib/ports/upstream';
import type { VenueCheckLog, VenueSource } from '../../lib/ports/venues';

/**
 * A {@link DiscrepancyStore} in Maps, for use-case tests: same conditional semantics as the DynamoDB one,
 * and its own {@link AlertOutbox} (the alerts its writes owe, in `owedAlerts`).
 */
export class InMemoryStore implements DiscrepancyStore, AlertOutbox {
  readonly owedAlerts = new Map<string, OwedRow & { claimedBy?: string }>();
  readonly discrepancies = new Map<string, DiscrepancyState>();
  readonly history: LifecycleEvent[] = [];
  readonly runs: RunSummary[] = [];
  private readonly started = new Map<string, RunSummary | undefined>();
  private lock: { holder: string; expiresAt: number } | undefined;

  async beginRun(run: RunStart) {
    const previous = this.started.get(run.runId);
    if (this.started.has(run.runId) && !(previous && ['failed', 'skipped'].includes(previous.status)))
      return { started: false as const, previous };
    this.started.set(run.runId, undefined);
    return { started: true as const };
  }

  async acquireLock(holder: string, ttlMs: number, now: Date) {
    if (this.lock && this.lock.holder !== holder && this.lock.expiresAt >= now.getTime()) return false;
    this.lock = { holder, expiresAt: now.getTime() + ttlMs };
    return true;
  }

  async renewLock(holder: string, ttlMs: number, now: Date) {
    if (this.lock?.holder !== holder) return false;
    this.lock = { holder, expiresAt: now.getTime() + ttlMs };
    return true;
  }

  async lockHolder() {
    return this.lock?.holder;
  }

  /** A view whose discrepancy and source-state writes check the lock first, as the DynamoDB store's transactions do. */
  fencedBy(runId: string, now: () => Date): DiscrepancyStore {
    const fence = () => {
      if (this.lock?.holder !== runId || this.lock.expiresAt < now().getTime()) throw new LockLostError(runId);
    };
    const fenced: InMemoryStore = Object.create(this);
    fenced.save = async (...write) => {
      fence();
      await this.save(...write);
    };
    fenced.saveSourceState = async (...write) => {
      fence();
      await this.saveSourceState(...write);
    };
    return fenced;
  }

  async releaseLock(holder: string) {
    if (this.lock?.holder === holder) this.lock = undefined;
  }

  async active() {
    return new Map([...this.discrepancies].filter(([, state]) => state.status !== 'resolved'));
  }

  async get(id: string) {
    return this.discrepancies.get(id);
  }

  async getMany(ids: string[]) {
    return new Map(
      ids.flatMap((id) => {
        const state = this.discrepancies.get(id);
        return state ? [[id, state] as const] : [];
      }),
    );
  }

  async saveMany(writes: DiscrepancyWrite[]) {
    return saveEach(this, writes);
  }

  async save(next: DiscrepancyState, event: LifecycleEvent | undefined, expectedVersion: number | undefined, alert?: IdentifiedAlert) {
    const current = this.discrepancies.get(next.id);
    if ((expectedVersion === undefined && current) || (expectedVersion !== undefined && current?.version !== expectedVersion)) {
      throw new ConcurrentUpdateError(next.id);
    }
    this.discrepancies.set(next.id, next);
    // A first opening is kept on the item (`openedDifference`), with no row of its own: listed here as the entry it is.
    const entry = event ?? (current ? undefined : openedEvent(next));
    if (entry) this.history.push(entry);
    if (alert) this.owe(alert);
  }

  private owe(alert: IdentifiedAlert) {
    this.owedAlerts.set(alert.alertId, { ...alert, uncertain: false });
  }

  async owed() {
    return [...this.owedAlerts.values()].map((row) => ({ ...row }));
  }

  async claim(row: OwedRow, holder: string, now: number, until: number) {
    const stored = this.owedAlerts.get(row.alertId);
    if (!stored || (stored.claimedUntil !== undefined && stored.claimedUntil >= now)) return false;
    this.owedAlerts.set(row.alertId, {
      ...stored,
      claimedBy: holder,
      claimedUntil: until,
      uncertain: stored.uncertain || stored.claimedUntil !== undefined,
    });
    return true;
  }

  async cleared(alertId: string) {
    this.owedAlerts.delete(alertId);
  }

  async release(alertId: string, holder: string, uncertain: boolean) {
    const stored = this.owedAlerts.get(alertId);
    if (stored?.claimedBy !== holder) return;
    const { claimedBy: _by, claimedUntil: _until, ...row } = stored;
    this.owedAlerts.set(alertId, { ...row, uncertain: row.uncertain || uncertain });
  }

  async replaceByStorm(storm: IdentifiedAlert, replaced: readonly string[]) {
    if (!this.owedAlerts.has(storm.alertId)) this.owe(storm);
    for (const alertId of replaced) this.owedAlerts.delete(alertId);
  }

  readonly sources: Partial<Record<SourceName, StoredSourceState>> = {};

  async sourceStates() {
    return { ...this.sources };
  }

  async saveSourceState(source: SourceName, state: StoredSourceState, alert?: IdentifiedAlert) {
    this.sources[source] = state;
    if (alert) this.owe(alert);
  }

  async saveRun(summary: RunSummary) {
    this.runs.push(summary);
    this.started.set(summary.runId, summary);
  }
}

/** An {@link AlertPublisher} that keeps what it was asked to send, and each message's alert id in order. */
export class RecordingAlerts implements AlertPublisher {
  readonly alertIds: string[] = [];
  readonly opened: Discrepancy[] = [];
  readonly escalated: Discrepancy[] = [];
  readonly resolved: DiscrepancyState[] = [];
  readonly storms: { runId: string; count: number; largest: Discrepancy[] }[] = [];
  readonly sourceProblems: SourceProblem[] = [];

  async discrepancyOpened(discrepancy: Discrepancy, alertId: string) {
    this.alertIds.push(alertId);
    this.opened.push(discrepancy);
  }

  async discrepancyEscalated(discrepancy: Discrepancy, _previous: unknown, alertId: string) {
    this.alertIds.push(alertId);
    this.escalated.push(discrepancy);
  }

  async discrepancyResolved(discrepancy: DiscrepancyState, alertId: string) {
    this.alertIds.push(alertId);
    this.resolved.push(discrepancy);
  }

  async discrepancyStorm(storm: { runId: string; count: number; largest: Discrepancy[] }, alertId: string) {
    this.alertIds.push(alertId);
    this.storms.push(storm);
  }

  async sourceUnhealthy(problem: SourceProblem, alertId: string) {
    this.alertIds.push(alertId);
    this.sourceProblems.push(problem);
  }

  readonly recoveries: { source: string; runId: string }[] = [];

  async sourceRecovered(recovery: { source: string; runId: string }, alertId: string) {
    this.alertIds.push(alertId);
    this.recoveries.push(recovery);
  }
}

/** A {@link VenueCheckLog} in Maps, keeping every mark it was asked to make. */
export class InMemoryVenueCheckLog implements VenueCheckLog {
  readonly times: Record<VenueSource, Map<string, string>> = { multimarkets: new Map(), indx: new Map() };
  readonly marks: { source: VenueSource; keys: string[]; at: string }[] = [];

  async lastChecked(source: VenueSource) {
    return new Map(this.times[source]);
  }

  async markChecked(source: VenueSource, keys: string[], at: string) {
    this.marks.push({ source, keys: [...keys], at });
    for (const key of keys) this.times[source].set(key, at);
  }
}

/** `saveMany` one write at a time: the ids `save` refused as changed meanwhile, every other write made. */
async function saveEach(store: Pick<DiscrepancyStore, 'save'>, writes: readonly DiscrepancyWrite[]): Promise<string[]> {
  const conflicts: string[] = [];
  for (const { next, event, expectedVersion, alert } of writes) {
    try {
      await store.save(next, event, expectedVersion, alert);
    } catch (error) {
      if (!(error instanceof ConcurrentUpdateError)) throw error;
      conflicts.push(next.id);
    }
  }
  return conflicts;
}
