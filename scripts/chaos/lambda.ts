import { actOnDiscrepancy } from '../../lib/compliance/compliance-actions';
import type { RunRequest, RunWork, ShardControl, ShardInvoker } from '../../lib/ports/run';
import { reconcile, reconcileShard } from '../../lib/runs/reconcile';
import { addActivity } from '../../sandbox/activity';
import { addUsers, deleteUsers } from '../../sandbox/signups';
import type { Fault } from './schedule';
import { InjectedFault, invocationContext, type World } from './world';

/** What Lambda delivers: a run's start (the scheduled or direct trigger) or a shard worker's work. */
export type LambdaEvent = { kind: 'run'; request: RunRequest } | { kind: 'work'; work: RunWork };

/** One delivery of an event; `attempt` counts Lambda's async retries (two at most). */
interface Delivery {
  event: LambdaEvent;
  attempt: number;
  duplicate: boolean;
}

/** An analyst's action that the store accepted: what the simulation expects to find kept with its history. */
export interface AnalystAction {
  id: string;
  action: 'acknowledge' | 'resolve';
  by: string;
  at: string;
}

/** What driving a world's invocations saw. */
export interface DriveLog {
  invocations: number;
  /** Invocations that threw although no fault was injected into them. */
  crashes: string[];
  /** Deliveries Lambda gave up on after its retries. */
  abandoned: number;
  actions: AnalystAction[];
}

/** Lambda's async retries of a failed invocation. */
const ASYNC_RETRIES = 2;
/** A run that has not ended after this many invocations is looping. */
const MAX_INVOCATIONS = 200;

/** Shard invocations queued as Lambda's async invokes would be; the driver delivers them. */
export class QueuedInvoker implements ShardInvoker {
  readonly queue: Delivery[] = [];
  async invoke(work: RunWork): Promise<void> {
    this.queue.push({ event: { kind: 'work', work }, attempt: 0, duplicate: false });
  }
  deliver(event: LambdaEvent): void {
    this.queue.push({ event, attempt: 0, duplicate: false });
  }
}

/** The time-left and page hooks of invocation `index`, from the cut-shard and deadline faults. */
function controlOf(index: number, faults: readonly Fault[]): ShardControl {
  const cut = faults.find((f) => f.kind === 'cut-shard' && f.invocation === index);
  const deadline = faults.find((f) => f.kind === 'deadline' && f.invocation === index);
  let pages = 0;
  let looks = 0;
  return {
    marginMs: 120_000,
    remainingMs: () => {
      looks++;
      return deadline?.kind === 'deadline' && looks >= deadline.calls ? 60_000 : 14 * 60_000;
    },
    afterPage: () => {
      pages++;
      if (cut?.kind === 'cut-shard' && pages === cut.pages) {
        const context = invocationContext.getStore();
        if (context) context.injected++;
        throw new InjectedFault(`the Lambda of invocation ${index} was cut off after ${pages} page(s)`);
      }
    },
  };
}

/** The analyst and activity faults due before invocation `index`. */
async function beforeInvocation(world: World, index: number, faults: readonly Fault[], log: DriveLog): Promise<void> {
  for (const fault of faults) {
    if (fault.kind === 'activity' && fault.invocation === index) {
      addActivity(world.sandbox.book, { fraction: fault.fraction, advanceMs: fault.advanceMs, seed: fault.seed });
      world.fired.set('activity', (world.fired.get('activity') ?? 0) + 1);
    }
    if (fault.kind === 'analyst' && fault.invocation === index) await analystActs(world, fault, log);
    if (fault.kind === 'signup' && fault.invocation === index) signUp(world, fault);
    if (fault.kind === 'leave' && fault.invocation === index) leave(world, fault);
  }
}

/** Users sign up a second after the simulated now (after the as-of of a run under way): the next run lists them. */
function signUp(world: World, fault: Extract<Fault, { kind: 'signup' }>): void {
  const createdAt = new Date(world.clock.now().getTime() + 1_000).toISOString();
  addUsers(world.sandbox.book, { count: fault.count, createdAt, ...(fault.funded && { funds: { btc: '0.5', usdt: '120.25' } }) });
  world.fired.set('signup', (world.fired.get('signup') ?? 0) + 1);
}

/** Users with nothing planted on them leave the exchange (gone from the listing, balances and totals). */
function leave(world: World, fault: Extract<Fault, { kind: 'leave' }>): void {
  const book = world.sandbox.book;
  const planted = new Set(book.manifest.planted.map((p) => p.userId));
  const candidates = book.users
    .map((user) => user.userId)
    .filter((id) => !planted.has(id))
    .sort();
  if (candidates.length === 0) return;
  const start = fault.pick % candidates.length;
  const gone = Array.from(
    { length: Math.min(fault.count, candidates.length) },
    (_, i) => candidates[(start + i) % candidates.length] as string,
  );
  deleteUsers(book, gone);
  world.fired.set('leave', (world.fired.get('leave') ?? 0) + 1);
}

/** An analyst acknowledges or resolves one active discrepancy; a refusal (conflict, wrong status) is the analyst's to retry, not a failure. */
async function analystActs(world: World, fault: Extract<Fault, { kind: 'analyst' }>, log: DriveLog): Promise<void> {
  const active = [...(await world.store.active()).values()].sort((a, b) => a.id.localeCompare(b.id));
  const target = active[fault.pick % Math.max(1, active.length)];
  if (!target) return;
  const at = world.clock.now();
  try {
    await actOnDiscrepancy(world.store, fault.action, target.id, 'analyst@example.com', `chaos ${fault.action}`, at);
    log.actions.push({ id: target.id, action: fault.action, by: 'analyst@example.com', at: at.toISOString() });
    world.fired.set('analyst', (world.fired.get('analyst') ?? 0) + 1);
  } catch {
    // The action was refused (status, version): nothing was promised to the analyst.
  }
}

/** Runs one invocation of `event` as a Lambda would, in its own context. */
function invoke(world: World, event: LambdaEvent, index: number, faults: readonly Fault[]) {
  const context = { invocation: index, injected: 0 };
  const control = controlOf(index, faults);
  const run = () =>
    event.kind === 'run' ? reconcile(event.request, world.deps, control) : reconcileShard(event.work, world.deps, control);
  return invocationContext.run(context, async () => {
    try {
      await run();
      return { ok: true as const };
    } catch (error) {
      return { ok: false as const, error, injected: context.injected > 0 || error instanceof InjectedFault };
    }
  });
}

/**
 * Delivers the queued events as Lambda would: one at a time, the simulated clock moving a second
 * per invocation; a failed invocation retried up to twice; an invocation delivered twice at once or
 * again later when the schedule says so. Ends when nothing is queued.
 */
export async function drive(world: World, queue: QueuedInvoker, faults: readonly Fault[], log: DriveLog): Promise<void> {
  for (let delivery = queue.queue.shift(); delivery; delivery = queue.queue.shift()) {
    const index = log.invocations++;
    if (index >= MAX_INVOCATIONS) {
      log.crashes.push(`more than ${MAX_INVOCATIONS} invocations: the run never ends`);
      queue.queue.length = 0;
      return;
    }
    world.clock.advance(1_000);
    await beforeInvocation(world, index, faults, log);
    const copies = faults.some((f) => f.kind === 'concurrent' && f.invocation === index) ? 2 : 1;
    const outcomes = await Promise.all(Array.from({ length: copies }, () => invoke(world, delivery.event, index, faults)));
    const failed = outcomes.find((outcome) => !outcome.ok);
    if (failed && !failed.ok) {
      if (!failed.injected) log.crashes.push(`invocation ${index} (${describeEvent(delivery.event)}): ${describeError(failed.error)}`);
      if (delivery.attempt < ASYNC_RETRIES) queue.queue.push({ ...delivery, attempt: delivery.attempt + 1 });
      else log.abandoned++;
    }
    if (!delivery.duplicate && faults.some((f) => f.kind === 'redelivery' && f.invocation === index))
      queue.queue.push({ ...delivery, duplicate: true });
  }
}

/** An event in a few words, for crash reports. */
export function describeEvent(event: LambdaEvent): string {
  if (event.kind === 'run') return `run ${event.request.runId}`;
  return 'final' in event.work ? `final phase of ${event.work.runId}` : `shard ${event.work.shard} of ${event.work.runId}`;
}

/** An error's name and message (and its cause's), for crash reports. */
function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error ? ` (cause: ${error.cause.name}: ${error.cause.message})` : '';
  return `${error.name}: ${error.message}${cause}`;
}
