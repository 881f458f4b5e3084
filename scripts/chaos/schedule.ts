import type { FaultRule } from '../../sandbox/faults';
import { Rng } from '../../sandbox/random';

/** Every kind of fault the simulation injects. */
export const FAULT_KINDS = [
  '5xx',
  '429',
  'timeout',
  'truncate',
  'rename-field',
  'repeat-page',
  'shifting-page',
  'source-down',
  'activity',
  'signup',
  'leave',
  'ddb-throttle',
  'sns-down',
  'sns-timeout',
  'cut-shard',
  'cut-final',
  'deadline',
  'redelivery',
  'concurrent',
  'analyst',
] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

/** A sandbox fault rule (kinds that misbehave over HTTP). */
type HttpFault = {
  kind: Extract<FaultKind, '5xx' | '429' | 'timeout' | 'truncate' | 'rename-field' | 'repeat-page' | 'shifting-page' | 'source-down'>;
  rule: FaultRule;
};

/**
 * One fault of a seed's schedule. Every trigger is a count (of invocations, calls, publishes or pages),
 * never a time, so the same seed injects the same faults at the same points.
 */
export type Fault =
  | HttpFault
  /** Balances change (new history, the as-of moves on) before invocation `invocation`. */
  | { kind: 'activity'; invocation: number; fraction: number; advanceMs: number; seed: number }
  /** `count` users sign up just after the as-of of invocation `invocation`'s run (with funds or none): the next run's users. */
  | { kind: 'signup'; invocation: number; count: number; funded: boolean }
  /** Before invocation `invocation`, `count` users with nothing planted on them leave the exchange (the `pick`-th on, in id order). */
  | { kind: 'leave'; invocation: number; count: number; pick: number }
  /** DynamoDB refuses `times` calls from the `call`-th document-client call on. */
  | { kind: 'ddb-throttle'; call: number; times: number }
  /** SNS refuses `times` publishes from the `publish`-th on. */
  | { kind: 'sns-down'; publish: number; times: number }
  /** The `publish`-th publish is accepted, then times out: its outcome is unknown to the caller. */
  | { kind: 'sns-timeout'; publish: number }
  /** The Lambda of invocation `invocation` is killed after `pages` pages. */
  | { kind: 'cut-shard'; invocation: number; pages: number }
  /** The Lambda of the first invocation from `invocation` on that sends an alert is killed as it sends it (mid-final-phase). */
  | { kind: 'cut-final'; invocation: number }
  /** Invocation `invocation` runs short of time from its `calls`-th look at the time left (it hands over). */
  | { kind: 'deadline'; invocation: number; calls: number }
  /** Invocation `invocation` is delivered again once it has ended. */
  | { kind: 'redelivery'; invocation: number }
  /** Invocation `invocation` is delivered twice at once. */
  | { kind: 'concurrent'; invocation: number }
  /** Before invocation `invocation`, an analyst acts on the `pick`-th active discrepancy (modulo their count). */
  | { kind: 'analyst'; invocation: number; action: 'acknowledge' | 'resolve'; pick: number };

/** The endpoints the reconciliation reads (so a rule aimed at them is met). */
const ENDPOINTS = [
  { target: 'reporting', endpoint: 'users' },
  { target: 'reporting', endpoint: 'users/balances' },
  { target: 'backoffice', endpoint: 'balances' },
] as const;
/** Fields each endpoint answers, for renames (`assetAmount` is the one the fault-modes test renames). */
const RENAMABLE: Record<string, readonly string[]> = {
  users: ['userId', 'createdAt'],
  'users/balances': ['assetAmount', 'assetId'],
  balances: ['amount', 'asset'],
};

/** A sandbox rule of `kind` on one of the read endpoints, from the `after`-th call, `times` calls. */
function httpFault(rng: Rng, kind: HttpFault['kind']): HttpFault {
  const { target, endpoint } = rng.pick(ENDPOINTS);
  const after = rng.int(0, 6);
  const times = rng.int(1, 3);
  const at = { target, endpoint, after, times };
  switch (kind) {
    case '5xx':
      return { kind, rule: { ...at, mode: 'status', status: rng.pick([500, 502, 503, 504]) } };
    case '429':
      return { kind, rule: { ...at, mode: 'rate-limit', retryAfterSeconds: rng.int(0, 2) } };
    case 'timeout':
      return { kind, rule: { ...at, mode: 'hang', times: 1 } };
    case 'truncate':
      return { kind, rule: { ...at, mode: 'truncate' } };
    case 'rename-field': {
      const field = rng.pick(RENAMABLE[endpoint] ?? ['id']);
      return { kind, rule: { ...at, mode: 'rename-field', field, renameTo: `${field}_v2` } };
    }
    case 'repeat-page':
      return { kind, rule: { ...at, mode: 'repeat-page', times: 1 } };
    case 'shifting-page':
      return { kind, rule: { ...at, mode: 'total-drift', delta: rng.pick([-1, 1]), times: 1 } };
    case 'source-down': {
      const down = rng.pick(['reporting', 'backoffice'] as const);
      return { kind, rule: { target: down, after: rng.int(0, 20), mode: 'status', status: 503 } };
    }
  }
}

/** One fault of `kind`, its trigger drawn from `rng`. */
function drawFault(rng: Rng, kind: FaultKind): Fault {
  // A healthy run of two shards is three invocations (start, shard 0, shard 1 with the final phase).
  const invocation = rng.int(0, 2);
  switch (kind) {
    case 'activity':
      return { kind, invocation, fraction: rng.pick([0.01, 0.05]), advanceMs: rng.int(1, 10) * 60_000, seed: rng.int(1, 1_000_000) };
    case 'signup':
      return { kind, invocation, count: rng.int(1, 5), funded: rng.pick([true, false]) };
    case 'leave':
      return { kind, invocation, count: rng.int(1, 3), pick: rng.int(0, 1000) };
    case 'ddb-throttle':
      return { kind, call: rng.int(0, 60), times: rng.int(1, 4) };
    case 'sns-down':
      return { kind, publish: rng.int(0, 6), times: rng.int(1, 20) };
    case 'sns-timeout':
      return { kind, publish: rng.int(0, 6) };
    case 'cut-shard':
      return { kind, invocation, pages: rng.int(1, 2) };
    case 'cut-final':
      return { kind, invocation };
    case 'deadline':
      return { kind, invocation, calls: rng.int(1, 6) };
    case 'redelivery':
    case 'concurrent':
      return { kind, invocation };
    case 'analyst':
      return { kind, invocation: rng.int(1, 3), action: rng.pick(['acknowledge', 'resolve'] as const), pick: rng.int(0, 1000) };
    default:
      return httpFault(rng, kind);
  }
}

/** What a seed simulates: the book's size and the faults to inject. */
export interface Schedule {
  seed: number;
  users: number;
  faults: Fault[];
}

/** A seed's schedule: a small book and one to four faults of kinds drawn uniformly. A pure function of the seed. */
export function drawSchedule(seed: number): Schedule {
  const rng = new Rng(seed);
  const users = rng.int(16, 30);
  const faults = Array.from({ length: rng.int(1, 4) }, () => drawFault(rng, rng.pick(FAULT_KINDS)));
  return { seed, users, faults };
}

/** Faults of a schedule counted by kind. */
export function countByKind(faults: readonly Fault[]): Map<FaultKind, number> {
  const counts = new Map<FaultKind, number>();
  for (const fault of faults) counts.set(fault.kind, (counts.get(fault.kind) ?? 0) + 1);
  return counts;
}

/** One line per fault, for a replayed seed's printout. */
export function describeSchedule(schedule: Schedule): string[] {
  return [
    `seed ${schedule.seed}: ${schedule.users} users, ${schedule.faults.length} fault(s)`,
    ...schedule.faults.map((fault) => `  ${fault.kind} ${JSON.stringify({ ...fault, kind: undefined })}`),
  ];
}
