import type { Discrepancy } from '../domain/discrepancy';
import { type DiscrepancyState, type LifecycleEvent, observe, openedAlertDue, resolveByRun } from '../domain/lifecycle';
import { Amount } from '../domain/money';
import type { Verdict } from '../domain/verdict';
import type { AlertPublisher, DiscrepancyStore } from './ports';

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
 * The effects of one run on the discrepancy lifecycle: every finding opens, changes, escalates or
 * reopens its discrepancy; every position checked and found matching resolves the one it had;
 * the alerts go out at the end, once, with storm control. The same run delivered twice finds every
 * discrepancy already at this run (`duplicate`) and so writes and alerts nothing.
 */
export class RunEffects {
  private readonly matched = new Set<string>();
  private readonly found = new Set<string>();
  private readonly dueOpened: DiscrepancyState[] = [];
  private readonly escalated: { state: DiscrepancyState; previous: { severity: string; difference: string } }[] = [];
  readonly counts = { opened: 0, reopened: 0, escalated: 0, resolved: 0, alerts: 0 };

  private constructor(
    private readonly store: DiscrepancyStore,
    private readonly alerts: AlertPublisher,
    private readonly active: Map<string, DiscrepancyState>,
    private readonly runId: string,
    private readonly options: EffectsOptions,
  ) {}

  /** Loads the open and acknowledged discrepancies the run may change. */
  static async start(store: DiscrepancyStore, alerts: AlertPublisher, runId: string, options: EffectsOptions): Promise<RunEffects> {
    return new RunEffects(store, alerts, await store.active(), runId, options);
  }

  /** A check found `discrepancy` in this run. */
  async finding(discrepancy: Discrepancy): Promise<void> {
    this.found.add(discrepancy.id);
    if (this.options.dryRun) return;
    const previous = this.active.get(discrepancy.id) ?? (await this.store.get(discrepancy.id));
    const outcome = observe(previous, discrepancy);
    if (outcome === 'duplicate') return;
    const { next, event } = outcome;
    await this.store.save(next, event === 'unchanged' ? undefined : this.event(next, event), previous?.version);
    this.active.set(next.id, next);
    if (event === 'opened') this.counts.opened++;
    if (event === 'reopened') this.counts.reopened++;
    if (event === 'escalated' && previous) {
      this.counts.escalated++;
      if (previous.alerted)
        this.escalated.push({ state: next, previous: { severity: previous.severity, difference: previous.difference } });
    }
    if (openedAlertDue(next, this.options.alertAfterRuns)) this.dueOpened.push(next);
  }

  /** A check found the position matching: its open discrepancy, if any, is resolved at the end of the run. */
  match(verdict: Verdict): void {
    if (verdict.outcome !== 'match') return;
    this.matched.add(`${verdict.check}:${verdict.userId}:${verdict.asset}`);
  }

  /** Resolves what matched, then sends the run's alerts. */
  async finish(at: string): Promise<void> {
    if (this.options.dryRun) return;
    for (const state of [...this.active.values()]) {
      if (this.found.has(state.id) || !this.isMatched(state)) continue;
      const resolved = resolveByRun(state, this.runId, at);
      await this.store.save(resolved, this.event(resolved, 'resolved', at), state.version);
      this.active.delete(state.id);
      this.counts.resolved++;
      await this.alerts.discrepancyResolved(resolved);
      this.counts.alerts++;
    }
    for (const { state, previous } of this.escalated) {
      await this.alerts.discrepancyEscalated(state, previous);
      this.counts.alerts++;
    }
    if (this.dueOpened.length > this.options.stormThreshold) {
      const largest = [...this.dueOpened].sort((a, b) => rootValue(b).compare(rootValue(a))).slice(0, 10);
      await this.alerts.discrepancyStorm({ runId: this.runId, count: this.dueOpened.length, largest });
      this.counts.alerts++;
    } else {
      for (const state of this.dueOpened) {
        await this.alerts.discrepancyOpened(state);
        this.counts.alerts++;
      }
    }
    for (const state of this.dueOpened) {
      const current = this.active.get(state.id) ?? state;
      await this.store.save({ ...current, alerted: true, version: current.version + 1 }, undefined, current.version);
    }
  }

  /** Matched in this run: by its own key, or — for presence, reported per asset — by the user's presence verdict. */
  private isMatched(state: DiscrepancyState): boolean {
    if (this.matched.has(state.id)) return true;
    return state.check === 'presence' && this.matched.has(`presence:${state.userId}:*`);
  }

  private event(state: DiscrepancyState, type: LifecycleEvent['type'], at = state.lastSeenAt): LifecycleEvent {
    return { discrepancyId: state.id, type, at, runId: this.runId, by: 'system', difference: state.difference, severity: state.severity };
  }
}

function rootValue(state: DiscrepancyState): Amount {
  return state.differenceInRoot ? Amount.parse(state.differenceInRoot) : Amount.ZERO;
}
