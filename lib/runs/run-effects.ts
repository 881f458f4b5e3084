import { discrepancyAlert, type IdentifiedAlert } from '../alerts/owed-alert';
import type { Discrepancy } from '../domain/discrepancy';
import { type DiscrepancyState, type LifecycleEvent, observe, openedAlertDue, resolveByRun } from '../domain/lifecycle';
import type { Verdict } from '../domain/verdict';
import { ConcurrentUpdateError } from '../errors';
import type { DiscrepancyStore, DiscrepancyWrite } from './ports';
import { type EffectsTally, emptyEffectsTally } from './shard-tally';

/** How a run turns findings into stored state and alerts. */
export interface EffectsOptions {
  /** Alert only once a discrepancy was found in this many runs in a row (default 1). */
  alertAfterRuns: number;
  /** Record nothing and alert nothing. */
  dryRun: boolean;
}

/**
 * The effects of one run (or one shard of it) on the discrepancy lifecycle: every finding opens,
 * changes, escalates or reopens its discrepancy; every position checked and found matching resolves
 * the one it had (`settle`, after each page). Every alert a change owes (opened, escalated, resolved)
 * is recorded in the outbox by the change's own write and published later by the drain
 * (`drain-outbox.ts`). Memory stays bounded: only matches of active discrepancies and the current
 * page's findings are kept.
 */
export class RunEffects {
  private readonly matched = new Set<string>();
  private readonly found = new Set<string>();
  /**
   * Users with an active presence discrepancy. A user-level presence match (asset `*`) says the user
   * was compared in full: it resolves each of them not found again — per-asset findings whose
   * position now matches, and the user-level ones earlier versions stored (`user-not-found`, `role-excluded`).
   */
  private readonly presenceUsers = new Map<string, string[]>();
  /** How many active discrepancies each user has: a match of anyone else needs no lookup (most matches). */
  private readonly activeUsers = new Map<string, number>();

  private constructor(
    private readonly store: DiscrepancyStore,
    private readonly active: Map<string, DiscrepancyState>,
    private readonly runId: string,
    private readonly options: EffectsOptions,
    readonly tally: EffectsTally,
  ) {
    for (const state of active.values()) {
      this.activeUsers.set(state.userId, (this.activeUsers.get(state.userId) ?? 0) + 1);
      if (state.check !== 'presence') continue;
      this.presenceUsers.set(state.userId, [...(this.presenceUsers.get(state.userId) ?? []), state.id]);
    }
  }

  /**
   * Loads the open and acknowledged discrepancies the run may change — or takes `active`, loaded
   * once for the shards of one process, which then share (and keep up to date) the one map.
   */
  static async start(
    store: DiscrepancyStore,
    runId: string,
    options: EffectsOptions,
    tally: EffectsTally = emptyEffectsTally(),
    active?: Map<string, DiscrepancyState>,
  ): Promise<RunEffects> {
    return new RunEffects(store, options.dryRun ? new Map() : (active ?? (await store.active())), runId, options, tally);
  }

  /**
   * Checks found these in this run. A finding not among the active discrepancies is written as
   * new without reading first (most are); one that exists after all (resolved earlier, or changed
   * by an analyst meanwhile) is refused by the store, read and written again from what is stored.
   */
  async findings(discrepancies: Discrepancy[]): Promise<void> {
    for (const discrepancy of discrepancies) this.found.add(discrepancy.id);
    if (this.options.dryRun || discrepancies.length === 0) return;
    let pending = discrepancies;
    let stored: Map<string, DiscrepancyState> | undefined;
    for (let attempt = 0; ; attempt++) {
      const changes = pending.flatMap((discrepancy) => {
        const change = this.change(discrepancy, stored ? stored.get(discrepancy.id) : this.active.get(discrepancy.id));
        return change ? [change] : [];
      });
      const conflicts = new Set(await this.store.saveMany(changes.map((change) => change.write)));
      for (const change of changes) if (!conflicts.has(change.write.next.id)) change.apply();
      if (conflicts.size === 0) return;
      // Read what is stored and try once more; a second refusal means another writer is busy with it.
      if (attempt > 0) throw new ConcurrentUpdateError([...conflicts][0] as string);
      pending = pending.filter((discrepancy) => conflicts.has(discrepancy.id));
      stored = await this.store.getMany([...conflicts]);
    }
  }

  /** What observing `discrepancy` against its stored state writes, and what to note once written; nothing for a duplicate. */
  private change(
    discrepancy: Discrepancy,
    previous: DiscrepancyState | undefined,
  ): { write: DiscrepancyWrite; apply: () => void } | undefined {
    const outcome = observe(previous, discrepancy);
    // Seen already in this run (a worker resumed after a cut-off redoes its page): its alert, if any, was recorded with it.
    if (outcome === 'duplicate') return undefined;
    const { next: observed, event } = outcome;
    const due = openedAlertDue(observed, this.options.alertAfterRuns);
    // Owed from this write on: recorded in the outbox by the same transaction, published by the drain.
    const next = due ? { ...observed, alerted: true, alertedRunId: this.runId } : observed;
    const alert: IdentifiedAlert | undefined = due
      ? discrepancyAlert(next, this.runId, { type: 'discrepancy-opened', discrepancy: next })
      : event === 'escalated' && previous?.alerted
        ? discrepancyAlert(next, this.runId, {
            type: 'discrepancy-escalated',
            discrepancy: next,
            previous: { severity: previous.severity, difference: previous.difference },
          })
        : undefined;
    return {
      write: {
        next,
        event: event === 'unchanged' ? undefined : this.event(next, event),
        expectedVersion: previous?.version,
        ...(alert && { alert }),
      },
      apply: () => {
        if (!this.active.has(next.id)) this.activeUsers.set(next.userId, (this.activeUsers.get(next.userId) ?? 0) + 1);
        this.active.set(next.id, next);
        if (event === 'opened') this.tally.opened++;
        if (event === 'reopened') this.tally.reopened++;
        if (event === 'opened' || event === 'reopened') {
          const bySeverity = this.tally.openedBySeverity ?? {};
          this.tally.openedBySeverity = { ...bySeverity, [next.severity]: (bySeverity[next.severity] ?? 0) + 1 };
        }
        if (event === 'escalated') this.tally.escalated++;
      },
    };
  }

  /** A check found `discrepancy` in this run. */
  async finding(discrepancy: Discrepancy): Promise<void> {
    await this.findings([discrepancy]);
  }

  /** A check found the position matching: its open discrepancy, if any, is resolved when the page settles. */
  match(verdict: Verdict): void {
    if (verdict.outcome !== 'match' || !this.activeUsers.has(verdict.userId)) return;
    const key = `${verdict.check}:${verdict.userId}:${verdict.asset}`;
    if (this.active.has(key)) this.matched.add(key);
    if (verdict.check === 'presence' && verdict.asset === '*')
      for (const id of this.presenceUsers.get(verdict.userId) ?? []) this.matched.add(id);
  }

  /** Resolves what matched (and was not found again) since the last settle, each write owing one alert. */
  async settle(at: string): Promise<void> {
    if (!this.options.dryRun) {
      for (const id of this.matched) {
        const known = this.active.get(id);
        if (!known || this.found.has(id)) continue;
        let state: DiscrepancyState | undefined = known;
        let resolved = resolveByRun(state, this.runId, at);
        try {
          await this.store.save(resolved, this.event(resolved, 'resolved', at), state.version, this.resolvedAlert(resolved));
        } catch (error) {
          if (!(error instanceof ConcurrentUpdateError)) throw error;
          // Changed since it was loaded (an analyst acknowledged or resolved it): resolved from what is stored now, if still active.
          state = await this.store.get(id);
          if (state && (state.status === 'open' || state.status === 'acknowledged')) {
            resolved = resolveByRun(state, this.runId, at);
            await this.store.save(resolved, this.event(resolved, 'resolved', at), state.version, this.resolvedAlert(resolved));
          } else state = undefined;
        }
        this.forget(known);
        if (state) this.tally.resolved++;
      }
    }
    this.matched.clear();
    this.found.clear();
  }

  /** No longer active (resolved, or found resolved by someone else). */
  private forget(state: DiscrepancyState): void {
    this.active.delete(state.id);
    const left = (this.activeUsers.get(state.userId) ?? 1) - 1;
    if (left > 0) this.activeUsers.set(state.userId, left);
    else this.activeUsers.delete(state.userId);
  }

  private resolvedAlert(resolved: DiscrepancyState): IdentifiedAlert {
    return discrepancyAlert(resolved, this.runId, { type: 'discrepancy-resolved', discrepancy: resolved });
  }

  private event(state: DiscrepancyState, type: LifecycleEvent['type'], at = state.lastSeenAt): LifecycleEvent {
    return { discrepancyId: state.id, type, at, runId: this.runId, by: 'system', difference: state.difference, severity: state.severity };
  }
}
