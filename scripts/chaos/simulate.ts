import { performance } from 'node:perf_hooks';
import { checkWorld, type Violations } from './invariants';
import { type DriveLog, drive, QueuedInvoker } from './lambda';
import { drawSchedule, type FaultKind, type Schedule } from './schedule';
import { buildWorld, type SharedServices } from './world';

/** How long after the faulty run the next run starts: past the 15-minute run lock a cut-off run may have left. */
const LATER_RUN_AFTER_MS = 16 * 60_000;

/** One seed simulated: its schedule, the faults that fired, what broke, and how long it took. */
export interface SeedResult {
  seed: number;
  schedule: Schedule;
  fired: Map<string, number>;
  violations: Violations;
  nondeterministic: string[];
  /** Invocations Lambda gave up on after its retries (not an invariant: the next run must make up for them). */
  abandoned: number;
  ms: number;
}

/**
 * Drives one world as Lambda would: the run (with the schedule's faults, retries, redeliveries), then,
 * every fault healed, the next scheduled run; then checks the invariants.
 */
async function runWorld(shared: SharedServices, schedule: Schedule, faulty: boolean) {
  const faults = faulty ? schedule.faults : [];
  const queue = new QueuedInvoker();
  const world = await buildWorld(shared, schedule.seed, schedule.users, faults, queue);
  const log: DriveLog = { invocations: 0, crashes: [], abandoned: 0, actions: [] };
  const trigger = { type: 'schedule' as const };
  try {
    queue.deliver({ kind: 'run', request: { runId: `chaos-${schedule.seed}`, trigger, asOf: new Date(world.sandbox.book.asOf) } });
    await drive(world, queue, faults, log);
    world.heal();
    world.clock.advance(LATER_RUN_AFTER_MS);
    const later = `chaos-${schedule.seed}-later`;
    queue.deliver({ kind: 'run', request: { runId: later, trigger, asOf: new Date(world.sandbox.book.asOf) } });
    await drive(world, queue, [], log);
    const summary = await world.store.getRun(later);
    if (summary?.status !== 'complete')
      log.crashes.push(
        `the healthy run after the faults ended ${summary?.status ?? 'nowhere'}${summary?.reason ? ` (${summary.reason})` : ''}`,
      );
    const { violations, fingerprint } = await checkWorld(world, log.actions);
    const applied = world.sandbox.server.sandboxStats.snapshot().faults.applied;
    if (applied > 0) world.fired.set('sandbox answers', applied);
    violations.crashes.push(...log.crashes);
    return { violations, fingerprint, fired: world.fired, abandoned: log.abandoned };
  } finally {
    await world.close();
  }
}

/** Where two fingerprints (JSON of items and alerts) first part, with a little context. */
function firstDifference(a: string, b: string): string {
  let i = 0;
  while (i < a.length && a[i] === b[i]) i++;
  const from = Math.max(0, a.lastIndexOf('"', i - 1));
  return `${a.slice(from, i + 60)} … vs … ${b.slice(from, i + 60)}`;
}

/** Prefixes every violation of a fault-free reference run, so a harness fault is not taken for a product one. */
function asReference(violations: Violations): Violations {
  const tag = (list: string[]) => list.map((entry) => `fault-free run: ${entry}`);
  return {
    false: tag(violations.false),
    lost: tag(violations.lost),
    duplicate: tag(violations.duplicate),
    crashes: tag(violations.crashes),
  };
}

/**
 * Simulates one seed: a fault-free run of its book (which must find exactly what was planted), the
 * run under its fault schedule, and — with `twice` — that run again, which must end the same.
 */
export async function simulateSeed(shared: SharedServices, seed: number, twice: boolean): Promise<SeedResult> {
  const started = performance.now();
  const schedule = drawSchedule(seed);
  // The worlds share nothing but the services: run side by side, they overlap their waits.
  const [fresh, faulty, again] = await Promise.all([
    runWorld(shared, schedule, false),
    runWorld(shared, schedule, true),
    twice ? runWorld(shared, schedule, true) : undefined,
  ]);
  const reference = asReference(fresh.violations);
  const nondeterministic: string[] = [];
  if (again && again.fingerprint !== faulty.fingerprint)
    nondeterministic.push(`seed ${seed} ended differently when run again: ${firstDifference(faulty.fingerprint, again.fingerprint)}`);
  const violations: Violations = {
    false: [...reference.false, ...faulty.violations.false],
    lost: [...reference.lost, ...faulty.violations.lost],
    duplicate: [...reference.duplicate, ...faulty.violations.duplicate],
    crashes: [...reference.crashes, ...faulty.violations.crashes],
  };
  return {
    seed,
    schedule,
    fired: faulty.fired,
    violations,
    nondeterministic,
    abandoned: faulty.abandoned,
    ms: performance.now() - started,
  };
}

/** The totals over every seed, as the one line prints them. */
export interface ChaosTotals {
  seeds: number;
  faults: number;
  byKind: Map<FaultKind, number>;
  false: number;
  lost: number;
  duplicate: number;
  crashes: number;
  nondeterministic: number;
}

/** Sums seed results: faults scheduled by kind, and violations counted per invariant. */
export function totalsOf(results: readonly SeedResult[]): ChaosTotals {
  const byKind = new Map<FaultKind, number>();
  for (const result of results) for (const fault of result.schedule.faults) byKind.set(fault.kind, (byKind.get(fault.kind) ?? 0) + 1);
  const sum = (pick: (result: SeedResult) => number) => results.reduce((total, result) => total + pick(result), 0);
  return {
    seeds: results.length,
    faults: sum((r) => r.schedule.faults.length),
    byKind,
    false: sum((r) => r.violations.false.length),
    lost: sum((r) => r.violations.lost.length),
    duplicate: sum((r) => r.violations.duplicate.length),
    crashes: sum((r) => r.violations.crashes.length),
    nondeterministic: sum((r) => r.nondeterministic.length),
  };
}

/** The one line: `chaos: S seeds, F faults, 0 false, 0 lost, 0 duplicate, 0 crashes, 0 nondeterministic (kind n, …)`. */
export function chaosLine(totals: ChaosTotals): string {
  const kinds = [...totals.byKind].sort(([a], [b]) => a.localeCompare(b)).map(([kind, n]) => `${kind} ${n}`);
  return (
    `chaos: ${totals.seeds} seeds, ${totals.faults} faults, ${totals.false} false, ${totals.lost} lost, ` +
    `${totals.duplicate} duplicate, ${totals.crashes} crashes, ${totals.nondeterministic} nondeterministic (${kinds.join(', ')})`
  );
}

/** Whether every invariant held. */
export function allHeld(totals: ChaosTotals): boolean {
  return totals.false + totals.lost + totals.duplicate + totals.crashes + totals.nondeterministic === 0;
}
