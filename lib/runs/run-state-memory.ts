import type { RunPhase, RunPlan, RunStateStore, ShardTally } from '../ports/run-state';

/**
 * Plans and checkpoints in memory: for a run that stays in one invocation (a scoped run, a dry
 * run, a local run without fan-out), where nothing needs to outlive the process.
 */
export class InMemoryRunState implements RunStateStore {
  private readonly plans = new Map<string, RunPlan>();
  private readonly tallies = new Map<string, ShardTally>();
  private readonly done = new Map<string, Set<number>>();
  private readonly claimed = new Map<string, number>();
  private readonly claims = new Map<string, { token: string; leaseUntilMs: number; done: boolean }>();

  async savePlan(plan: RunPlan): Promise<void> {
    this.plans.set(plan.runId, structuredClone(plan));
  }

  async loadPlan(runId: string): Promise<RunPlan | undefined> {
    const plan = this.plans.get(runId);
    return plan && structuredClone(plan);
  }

  async loadTally(runId: string, shard: number): Promise<ShardTally | undefined> {
    const tally = this.tallies.get(`${runId}#${shard}`);
    return tally && structuredClone(tally);
  }

  async saveTally(runId: string, shard: number, tally: ShardTally): Promise<void> {
    this.tallies.set(`${runId}#${shard}`, structuredClone(tally));
  }

  async shardDone(runId: string, shard: number): Promise<number> {
    const done = this.done.get(runId) ?? new Set<number>();
    done.add(shard);
    this.done.set(runId, done);
    return done.size;
  }

  async claimShard(runId: string, shards: number): Promise<number | undefined> {
    const next = this.claimed.get(runId) ?? 0;
    if (next >= shards) return undefined;
    this.claimed.set(runId, next + 1);
    return next;
  }

  async claimPhase(runId: string, phase: RunPhase, token: string, leaseUntilMs: number, nowMs: number): Promise<boolean> {
    const claim = this.claims.get(`${runId}#${phase}`);
    if (claim && (claim.done || (claim.token !== token && claim.leaseUntilMs >= nowMs))) return false;
    this.claims.set(`${runId}#${phase}`, { token, leaseUntilMs, done: false });
    return true;
  }

  async releasePhase(runId: string, phase: RunPhase, token: string): Promise<void> {
    if (this.claims.get(`${runId}#${phase}`)?.token === token) this.claims.delete(`${runId}#${phase}`);
  }

  async finalDone(runId: string, token: string): Promise<void> {
    this.claims.set(`${runId}#final`, { token, leaseUntilMs: Number.POSITIVE_INFINITY, done: true });
  }
}
