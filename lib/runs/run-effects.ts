import type { Discrepancy } from '../domain/discrepancy';
import { type DiscrepancyState, type LifecycleEvent, observe, openedAlertDue, resolveByRun } from '../domain/lifecycle';
import type { Verdict } from '../domain/verdict';
import type { AlertPublisher, DiscrepancyStore } from './ports';
import { type EffectsTally, ESCALATION_LIMIT, keepLargest } from './shard-tally';

/** How a run turns findings into stored state and alerts. */
export interface EffectsOptions {
  /** Alert only once a discrepancy was found in this many runs in a row (default 1). */
  alertAfterRuns: number;
  /** Above this many new alerts in one run, one summary message instead (default 50). */
  stormThreshold: number;
  /** Record nothing and alert nothing. */
  dryRun: boolean;
}

/**
 * The effects of one run (or one shard of it) on the discrepancy lifecycle: every finding opens,
 * changes, escalates or reopens its discrepancy; every position checked and found matching resolves
 * the one it had (`settle`, after each page); the opened and escalated alerts are collected in the
 * tally and sent once per run by {@link sendRunAlerts}, with storm control. Memory stays bounded:
 * only matches of active discrepancies and the current page's findings are kept.
 */
export class RunEffects {
  private readonly matched = new Set<string>();
  private readonly found = new Set<string>();
  /** Users with an active presence discrepancy: a user-level presence match resolves them. */
  private readonly presenceUsers = new Map<string, string[]>();

  private constructor(
    private readonly store: DiscrepancyStore,
    private readonly alerts: AlertPublisher,
    private readonly active: Map<string, DiscrepancyState>,
    private readonly runId: string,
    private readonly options: EffectsOptions,
    readonly tally: EffectsTally,
  ) {
    for (const state of active.values()) {
      if (state.check !== 'presence') continue;
      this.presenceUsers.set(state.userId, [...(this.presenceUsers.get(state.userId) ?? []), state.id]);
    }
  }

  /** Loads the open and acknowledged discrepancies the run may change. */
  static async start(
    store: DiscrepancyStore,
    alerts: AlertPublisher,
    runId: string,
    options: EffectsOptions,
    tally: EffectsTally = { opened: 0, reopened: 0, escalated: 0, resolved: 0, dueCount: 0, due: [], largest: [], escalations: [] },
  ): Promise<RunEffects> {
    return new RunEffects(store, alerts, options.dryRun ? new Map() : await store.active(), runId, options, tally);
  }

  /** Checks found these in this run: one batched read of the ones not active, then their writes together. */
  async findings(discrepancies: Discrepancy[]): Promise<void> {
    for (const discrepancy of discrepancies) this.found.add(discrepancy.id);
    if (this.options.dryRun || discrepancies.length === 0) return;
    const unknown = discrepancies.filter((discrepancy) => !this.active.has(discrepancy.id)).map((discrepancy) => discrepancy.id);
    const stored = unknown.length > 0 && this.store.getMany ? await this.store.getMany(unknown) : undefined;
    const writes: { next: DiscrepancyState; event: LifecycleEvent | undefined; expectedVersion: number | undefined }[] = [];
    const after: (() => void)[] = [];
    for (const discrepancy of discrepancies) {
      const previous = this.active.get(discrepancy.id) ?? (stored ? stored.get(discrepancy.id) : await this.store.get(discrepancy.id));
      const outcome = observe(previous, discrepancy);
      if (outcome === 'duplicate') {
        // Seen already in this run: a worker resumed after a cut-off redoes the page it was on. Its
        // alert, if it was due in this run, is collected again (the tally of that page was lost).
        if (previous?.alertedRunId === this.runId) this.due(previous);
        continue;
      }
      const { next: observed, event } = outcome;
      const due = openedAlertDue(observed, this.options.alertAfterRuns);
      // The alert goes out at the end of the run (alone or in a storm summary); marked here, in the same write.
      const next = due ? { ...observed, alerted: true, alertedRunId: this.runId } : observed;
      writes.push({ next, event: event === 'unchanged' ? undefined : this.event(next, event), expectedVersion: previous?.version });
      after.push(() => {
        this.active.set(next.id, next);
        if (event === 'opened') this.tally.opened++;
        if (event === 'reopened') this.tally.reopened++;
        if (event === 'escalated' && previous) {
          this.tally.escalated++;
          if (previous.alerted && this.tally.escalations.length < ESCALATION_LIMIT)
            this.tally.escalations.push({ id: next.id, severity: previous.severity, difference: previous.difference });
        }
        if (due) this.due(next);
      });
    }
    if (this.store.saveMany) await this.store.saveMany(writes);
    else for (const { next, event, expectedVersion } of writes) await this.store.save(next, event, expectedVersion);
    for (const apply of after) apply();
  }

  /** A check found `discrepancy` in this run. */
  async finding(discrepancy: Discrepancy): Promise<void> {
    await this.findings([discrepancy]);
  }

  /** A check found the position matching: its open discrepancy, if any, is resolved when the page settles. */
  match(verdict: Verdict): void {
    if (verdict.outcome !== 'match') return;
    const key = `${verdict.check}:${verdict.userId}:${verdict.asset}`;
    if (this.active.has(key)) this.matched.add(key);
    if (verdict.check === 'presence' && verdict.asset === '*')
      for (const id of this.presenceUsers.get(verdict.userId) ?? []) this.matched.add(id);
  }

  /** Resolves what matched (and was not found again) since the last settle, with one alert each. */
  async settle(at: string): Promise<void> {
    if (!this.options.dryRun) {
      for (const id of this.matched) {
        const state = this.active.get(id);
        if (!state || this.found.has(id)) continue;
        const resolved = resolveByRun(state, this.runId, at);
        await this.store.save(resolved, this.event(resolved, 'resolved', at), state.version);
        this.active.delete(id);
        this.tally.resolved++;
        await this.alerts.discrepancyResolved(resolved);
      }
    }
    this.matched.clear();
    this.found.clear();
  }

  private due(state: DiscrepancyState): void {
    if (this.tally.due.includes(state.id)) return;
    this.tally.dueCount++;
    if (this.tally.due.length <= this.options.stormThreshold) this.tally.due.push(state.id);
    this.tally.largest = keepLargest([...this.tally.largest, { id: state.id, value: state.differenceInRoot ?? '0' }]);
  }

  private event(state: DiscrepancyState, type: LifecycleEvent['type'], at = state.lastSeenAt): LifecycleEvent {
    return { discrepancyId: state.id, type, at, runId: this.runId, by: 'system', difference: state.difference, severity: state.severity };
  }
}

/**
 * Sends a run's collected alerts once: escalations of discrepancies already alerted, then the
 * opened ones — each on its own, or one storm summary with the ten largest above the threshold.
 * Returns how many messages went out.
 */
export async function sendRunAlerts(
  store: Pick<DiscrepancyStore, 'get'>,
  alerts: AlertPublisher,
  runId: string,
  tally: EffectsTally,
  stormThreshold: number,
): Promise<number> {
  let sent = 0;
  for (const { id, severity, difference } of tally.escalations) {
    const state = await store.get(id);
    if (!state) continue;
    await alerts.discrepancyEscalated(state, { severity, difference });
    sent++;
  }
  if (tally.dueCount > stormThreshold) {
    const largest = (await Promise.all(tally.largest.map((entry) => store.get(entry.id)))).filter((state) => state !== undefined);
    await alerts.discrepancyStorm({ runId, count: tally.dueCount, largest });
    return sent + 1;
  }
  for (const id of tally.due) {
    const state = await store.get(id);
    if (!state) continue;
    await alerts.discrepancyOpened(state);
    sent++;
  }
  return sent;
}
