import type { Discrepancy } from '../domain/discrepancy';
import { linkWrite } from '../domain/history-chain';
import {
  type DiscrepancyState,
  type LifecycleEvent,
  observe,
  openedAlertDue,
  personActedSince,
  resolveByRun,
  resolvedByPersonSince,
} from '../domain/lifecycle';
import type { Verdict } from '../domain/verdict';
import { ConcurrentUpdateError } from '../errors';
import { discrepancyAlert } from '../policy/owed-alert';
import type { IdentifiedAlert } from '../ports/alerts';
import type { Clock } from '../ports/clock';
import type { EffectsTally } from '../ports/run-state';
import type { DiscrepancyRepository, DiscrepancyWrite } from '../ports/store';
import { emptyEffectsTally } from './shard-tally';

/** How a run turns findings into stored state and alerts. */
export interface EffectsOptions {
  /** Alert only once a discrepancy was found in this many runs in a row (default 1). */
  alertAfterRuns: number;
  /** Record nothing and alert nothing. */
  dryRun: boolean;
  /** When the run started (`RunPlan.startedAt`): a person's action at or after it wins over the run's findings and matches. */
  startedAt: string;
  /** The run's clock: each history row is written with the time of its write, so rows read back in the order they were written. */
  clock: Clock;
}

/**
 * The effects of one run (or one shard of it) on the discrepancy lifecycle: every finding opens,
 * changes, escalates or reopens its discrepancy; every position checked and found matching resolves
 * the one it had (`settle`, after each page). Every alert a change owes (opened, escalated, resolved)
 * is recorded in the outbox by the change's own write and published later by the drain
 * (`drain-outbox.ts`). Memory stays bounded: only matches of active discrepancies and the current
 * page's findings are kept.
 *
 * People win over runs: what a person resolved (or, for a resolution, acknowledged) after the run
 * started is left as they left it, and a discrepancy still changed by another writer after one re-read
 * is skipped and counted (`skipped`), never failing the run; the next run sees it again.
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
    private readonly store: DiscrepancyRepository,
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
    store: DiscrepancyRepository,
    runId: string,
    options: EffectsOptions,
    tally: EffectsTally = emptyEffectsTally(),
    active?: Map<string, DiscrepancyState>,
  ): Promise<RunEffects> {
    return new RunEffects(store, options.dryRun ? new Map() : (active ?? (await store.active())), runId, options, tally);
  }

  /** Whether the user has an open or acknowledged discrepancy (such a user is verified in full in every run). */
  hasActive(userId: string): boolean {
    return this.activeUsers.has(userId);
  }

  /**
   * Checks found these in this run. A finding not among the active discrepancies is written as
   * new without reading first (most are); one that exists after all (resolved earlier, or changed
   * by an analyst meanwhile) is refused by the store, read and written again from what is stored.
   * One refused again (another writer is busy with it) is skipped: nothing of it is written, it is
   * counted in `skipped`, and the next run finds it again.
   * @throws {import('../errors').StoreBusyError} when DynamoDB kept refusing a transaction for now.
   */
  async findings(discrepancies: Discrepancy[]): Promise<void> {
    for (const discrepancy of discrepancies) this.found.add(discrepancy.id);
    if (this.options.dryRun || discrepancies.length === 0) return;
    let pending = discrepancies;
    let stored: Map<string, DiscrepancyState> | undefined;
    for (let attempt = 0; ; attempt++) {
      const at = this.options.clock.now().toISOString();
      const changes = pending.flatMap((discrepancy) => {
        const change = this.change(discrepancy, stored ? stored.get(discrepancy.id) : this.active.get(discrepancy.id), at);
        return change ? [change] : [];
      });
      const conflicts = new Set(await this.store.saveMany(changes.map((change) => change.write)));
      for (const change of changes) if (!conflicts.has(change.write.next.id)) change.apply();
      if (conflicts.size === 0) return;
      if (attempt > 0) return this.skip(conflicts.size);
      pending = pending.filter((discrepancy) => conflicts.has(discrepancy.id));
      stored = await this.store.getMany([...conflicts]);
    }
  }

  /** Discrepancies another writer kept changing: left for the next run, counted in the summary. */
  private skip(count: number): void {
    this.tally.skipped = (this.tally.skipped ?? 0) + count;
  }

  /** What observing `discrepancy` against its stored state writes, and what to note once written; nothing for a duplicate. */
  private change(
    discrepancy: Discrepancy,
    previous: DiscrepancyState | undefined,
    at: string,
  ): { write: DiscrepancyWrite; apply: () => void } | undefined {
    if (previous && resolvedByPersonSince(previous, this.options.startedAt)) {
      // Resolved by a person after this run read its figures: theirs stands until the next run.
      if (this.active.has(previous.id)) this.forget(previous);
      return undefined;
    }
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
    // Linked into its history chain here, so the state kept for this run's later writes has the new head.
    const linked = linkWrite(next, event === 'unchanged' ? undefined : this.event(next, event, at));
    return {
      write: { next: linked.next, event: linked.row, expectedVersion: previous?.version, ...(alert && { alert }) },
      apply: () => {
        if (!this.active.has(next.id)) this.activeUsers.set(next.userId, (this.activeUsers.get(next.userId) ?? 0) + 1);
        this.active.set(next.id, linked.next);
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

  /** Resolves what matched (and was not found again) since the last settle, with one alert each. */
  async settle(): Promise<void> {
    if (!this.options.dryRun) {
      for (const id of this.matched) {
        const known = this.active.get(id);
        if (!known || this.found.has(id)) continue;
        const resolved = await this.resolve(known);
        this.forget(known);
        if (resolved) this.tally.resolved++;
      }
    }
    this.matched.clear();
    this.found.clear();
  }

  /**
   * The run's resolution of `known`, written; undefined when it was left as it is: no longer active,
   * acted on by a person since the run started, or changed again by another writer after one re-read
   * (skipped, counted).
   * @throws {import('../errors').StoreBusyError} when DynamoDB kept refusing it for now.
   */
  private async resolve(known: DiscrepancyState): Promise<DiscrepancyState | undefined> {
    let state: DiscrepancyState | undefined = known;
    for (let attempt = 0; state; attempt++) {
      if (state.status === 'resolved' || personActedSince(state, this.options.startedAt)) return undefined;
      const at = this.options.clock.now().toISOString();
      const resolved = resolveByRun(state, this.runId, at);
      const linked = linkWrite(resolved, this.event(resolved, 'resolved', at));
      try {
        await this.store.save(linked.next, linked.row, state.version, this.resolvedAlert(resolved));
        return linked.next;
      } catch (error) {
        if (!(error instanceof ConcurrentUpdateError)) throw error;
        if (attempt > 0) {
          this.skip(1);
          return undefined;
        }
        // Changed since it was loaded (an analyst acknowledged or resolved it, a late shard wrote it): judged again from what is stored.
        state = await this.store.get(known.id);
      }
    }
    return undefined;
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

  /** The history row of a change written at `at`: the time of the write, not the run's start, so rows sort as they were written. */
  private event(state: DiscrepancyState, type: LifecycleEvent['type'], at: string): LifecycleEvent {
    return { discrepancyId: state.id, type, at, runId: this.runId, by: 'system', difference: state.difference, severity: state.severity };
  }
}
