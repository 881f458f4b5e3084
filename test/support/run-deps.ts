import { runSettings } from '../../lib/config';
import type { RunDeps, RunHooks, RunPorts, RunSettings, ShardInvoker } from '../../lib/ports/run';
import type { RunStateStore } from '../../lib/ports/run-state';
import type { DiscrepancyStore } from '../../lib/ports/store';

/**
 * A run's deps as the tests write them: one object of ports, settings and hooks side by side, one
 * `store` serving the three stores, `shards` as the wiring once took it. {@link runDeps} sorts them.
 */
export type FlatDeps = Omit<RunPorts, 'discrepancies' | 'runs' | 'sourceStates' | 'invoker'> &
  Partial<Omit<RunSettings, 'shards'>> &
  RunHooks & {
    store: DiscrepancyStore;
    shards?: { usersPerShard: number; concurrency: number; invoker?: ShardInvoker };
  };

const HOOKS = ['drift', 'endpoints', 'retryBudget', 'callDeadline', 'onProgress'] as const;
const PORTS = ['reporting', 'backOffice', 'outbox', 'alerts', 'clock', 'runState', 'history', 'venues', 'venueLog', 'metrics'] as const;

/**
 * Sorts a test's flat deps into the run's ports, settings (defaults under what the test sets) and hooks.
 * Given deps already sorted (a wiring's), the flat fields beside them override theirs.
 */
export function runDeps<F extends FlatDeps | (RunDeps & Partial<FlatDeps>)>(
  flat: F,
): F extends { runState: RunStateStore } | { ports: { runState: RunStateStore } }
  ? RunDepsWith<{ runState: RunStateStore; invoker: ShardInvoker }>
  : RunDepsWith<object> {
  const { ports: wired, settings: wiredSettings, hooks: wiredHooks, ...flatOnly } = flat as Partial<RunDeps> & Partial<FlatDeps>;
  const { store, shards, ...rest } = flatOnly;
  const ports: Record<string, unknown> = { ...wired, ...(store && { discrepancies: store, runs: store, sourceStates: store }) };
  const hooks: Record<string, unknown> = { ...wiredHooks };
  const settings: Record<string, unknown> = { ...wiredSettings };
  for (const [key, value] of Object.entries(rest)) {
    if (value === undefined) continue;
    if ((PORTS as readonly string[]).includes(key)) ports[key] = value;
    else if ((HOOKS as readonly string[]).includes(key)) hooks[key] = value;
    else settings[key] = value;
  }
  if (shards?.invoker) ports.invoker = shards.invoker;
  if (shards) settings.shards = { usersPerShard: shards.usersPerShard, concurrency: shards.concurrency };
  return { ports, settings: runSettings(settings as Partial<RunSettings>), hooks } as never;
}

type RunDepsWith<P> = { ports: RunPorts & P; settings: RunSettings; hooks: RunHooks };
