import { isJsonObject, JsonNumber, type JsonValue, writeJson } from './json-text';
import { REPORTING_PREFIX } from './reporting-api';
import { REPORTS } from './reporting-reports';

/** The upstreams a fault rule can aim at (`any` = all four). */
export const FAULT_TARGETS = ['backoffice', 'reporting', 'multimarkets', 'indx', 'any'] as const;
export type FaultTarget = (typeof FAULT_TARGETS)[number];
/** One of the four sandbox upstreams. */
export type Upstream = Exclude<FaultTarget, 'any'>;

/** What a fault rule does to the requests it affects. */
export const FAULT_MODES = [
  'latency',
  'status',
  'rate-limit',
  'hang',
  'truncate',
  'non-json',
  'rename-field',
  'extra-field',
  'repeat-page',
  'total-drift',
] as const;
export type FaultMode = (typeof FAULT_MODES)[number];

/** Modes that answer instead of the upstream (the first of them that applies ends rule evaluation). */
export const REPLACING_MODES: ReadonlySet<FaultMode> = new Set<FaultMode>(['status', 'rate-limit', 'hang', 'non-json']);
/** Modes that change the upstream's JSON answer at the value level (2xx answers only). */
export const VALUE_MODES: ReadonlySet<FaultMode> = new Set<FaultMode>(['rename-field', 'extra-field', 'repeat-page', 'total-drift']);

/** Defaults of the mode parameters. */
export const FAULT_DEFAULTS = {
  status: 503,
  retryAfterSeconds: 1,
  extraField: 'newField',
  extraValue: 'x',
  delta: 1,
} as const;
/** Bounds of the numeric parameters. */
export const FAULT_LIMITS = { maxLatencyMs: 600_000, maxRetryAfterSeconds: 86_400, maxRules: 100 } as const;

/** A fault rule. `after`/`times` count only the requests the rule could act on (see sandbox/README.md "Fault modes"). */
export type FaultRule = {
  /** names the rule in list() / GET /__sandbox/faults (default `rule-<n>`, n = position from 1) */
  id?: string;
  target: FaultTarget;
  /** the end of the request path, whole segments, case-sensitive; `*` (or `{name}`) matches any one segment */
  endpoint?: string;
  /** skip the first N counted requests (default 0) */
  after?: number;
  /** affect at most N requests (default unlimited) */
  times?: number;
} & (
  | { mode: 'latency'; latencyMs: number }
  | { mode: 'status'; status?: number }
  | { mode: 'rate-limit'; retryAfterSeconds?: number }
  | { mode: 'hang' }
  | { mode: 'truncate' }
  | { mode: 'non-json' }
  | { mode: 'rename-field'; field: string; renameTo: string }
  | { mode: 'extra-field'; field?: string; value?: JsonValue }
  | { mode: 'repeat-page' }
  | { mode: 'total-drift'; delta?: number }
);

/** A validated rule: id and `after` filled in, every mode parameter at its effective value. */
export type NormalizedFaultRule = FaultRule & { id: string; after: number };

/** A rule the sandbox refuses; its message names the rule (`rules[i]`) and the offending member. */
export class FaultRuleError extends Error {}

const COMMON_KEYS = ['id', 'target', 'endpoint', 'mode', 'after', 'times'];
const MODE_KEYS: Readonly<Record<FaultMode, readonly string[]>> = {
  latency: ['latencyMs'],
  status: ['status'],
  'rate-limit': ['retryAfterSeconds'],
  hang: [],
  truncate: [],
  'non-json': [],
  'rename-field': ['field', 'renameTo'],
  'extra-field': ['field', 'value'],
  'repeat-page': [],
  'total-drift': ['delta'],
};

/** Path templates of every upstream route (`*` = any one segment), to refuse endpoints that match nothing. */
export const UPSTREAM_ROUTES: Readonly<Record<Upstream, readonly string[]>> = {
  backoffice: ['/back-api/backoffice/balances', '/back-api/backoffice/user/*/balance'],
  reporting: [...REPORTS.keys()].map((name) => `${REPORTING_PREFIX}${name}`),
  multimarkets: ['/api/cats-gateway/get-user-amount'],
  indx: ['/api/v2/trade/Balance'],
};

const isWildcard = (segment: string): boolean => segment === '*' || /^\{[^/]*\}$/.test(segment);

/** The segments of a path or endpoint, without leading/trailing slashes. */
export function pathSegments(path: string): string[] {
  const trimmed = path.replace(/^\/+/, '').replace(/\/+$/, '');
  return trimmed === '' ? [] : trimmed.split('/');
}

/** True when `endpoint` (segments) matches the end of `path` (segments), whole segments, wildcards on either side. */
export function endpointMatches(endpoint: readonly string[], path: readonly string[]): boolean {
  if (endpoint.length > path.length) return false;
  const offset = path.length - endpoint.length;
  return endpoint.every((segment, i) => {
    const actual = path[offset + i] as string;
    return segment === actual || isWildcard(segment) || isWildcard(actual);
  });
}

function integerParam(where: string, value: unknown, min: number, max: number): number {
  let n: number | undefined;
  if (typeof value === 'number') n = value;
  else if (value instanceof JsonNumber && /^-?\d+$/.test(value.literal)) n = Number(value.literal);
  if (n === undefined || !Number.isSafeInteger(n) || n < min || n > max) {
    throw new FaultRuleError(`${where} must be an integer from ${min} to ${max}, got ${describe(value)}`);
  }
  return n;
}

function stringParam(where: string, value: unknown): string {
  if (typeof value !== 'string' || value === '') throw new FaultRuleError(`${where} must be a non-empty string, got ${describe(value)}`);
  return value;
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value instanceof JsonNumber) return value.literal;
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

/** Checks that `value` can be written as JSON by the sandbox (safe-integer JS numbers, JsonNumber literals, …). */
function jsonValueParam(where: string, value: unknown): JsonValue {
  const check = (v: unknown, depth: number): boolean => {
    if (depth > 32) return false;
    if (v === null || typeof v === 'string' || typeof v === 'boolean' || v instanceof JsonNumber) return true;
    if (typeof v === 'number') return Number.isSafeInteger(v);
    if (Array.isArray(v)) return v.every((x) => check(x, depth + 1));
    if (isJsonObject(v) && Object.getPrototypeOf(v) === Object.prototype) return Object.values(v).every((x) => check(x, depth + 1));
    return false;
  };
  if (!check(value, 0)) {
    throw new FaultRuleError(`${where} must be a JSON value (JS numbers must be safe integers; send decimals as JSON literals over HTTP)`);
  }
  writeJson(value as JsonValue);
  return value as JsonValue;
}

function oneOf<T extends string>(where: string, value: unknown, allowed: readonly T[], what: string): T {
  if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) return value as T;
  throw new FaultRuleError(`${where}: unknown ${what} ${describe(value)} (expected one of ${allowed.join(', ')})`);
}

/** Validates one rule (from HTTP, lossless-parsed, or from code) and fills in its defaults. */
export function normalizeFaultRule(raw: unknown, index: number): NormalizedFaultRule {
  const at = `rules[${index}]`;
  if (!isJsonObject(raw)) throw new FaultRuleError(`${at} must be an object with target and mode`);
  const mode = oneOf(`${at}.mode`, raw.mode, FAULT_MODES, 'mode');
  const target = oneOf(`${at}.target`, raw.target, FAULT_TARGETS, 'target');
  for (const key of Object.keys(raw)) {
    if (raw[key] === undefined) continue;
    if (!COMMON_KEYS.includes(key) && !MODE_KEYS[mode].includes(key)) {
      throw new FaultRuleError(
        `${at}.${key}: unknown parameter for mode ${mode} (allowed: ${[...COMMON_KEYS, ...MODE_KEYS[mode]].join(', ')})`,
      );
    }
  }
  const id = raw.id === undefined ? `rule-${index + 1}` : stringParam(`${at}.id`, raw.id);
  const after = raw.after === undefined ? 0 : integerParam(`${at}.after`, raw.after, 0, Number.MAX_SAFE_INTEGER);
  const times = raw.times === undefined ? undefined : integerParam(`${at}.times`, raw.times, 1, Number.MAX_SAFE_INTEGER);
  let endpoint: string | undefined;
  if (raw.endpoint !== undefined) {
    endpoint = stringParam(`${at}.endpoint`, raw.endpoint);
    const segments = pathSegments(endpoint);
    if (segments.length === 0 || segments.some((s) => s === ''))
      throw new FaultRuleError(`${at}.endpoint: "${endpoint}" is not a path suffix`);
    const upstreams: readonly Upstream[] = target === 'any' ? ['backoffice', 'reporting', 'multimarkets', 'indx'] : [target];
    const known = upstreams.flatMap((u) => UPSTREAM_ROUTES[u]);
    if (!known.some((route) => endpointMatches(segments, pathSegments(route)))) {
      throw new FaultRuleError(
        `${at}.endpoint: "${endpoint}" matches no ${target === 'any' ? '' : `${target} `}route (paths end with it, whole segments, case-sensitive)`,
      );
    }
  }
  const scope = { id, target, ...(endpoint === undefined ? {} : { endpoint }), after, ...(times === undefined ? {} : { times }) };
  const p = (name: string) => `${at}.${name}`;
  switch (mode) {
    case 'latency':
      if (raw.latencyMs === undefined) throw new FaultRuleError(`${p('latencyMs')} is required for mode latency`);
      return { ...scope, mode, latencyMs: integerParam(p('latencyMs'), raw.latencyMs, 0, FAULT_LIMITS.maxLatencyMs) };
    case 'status':
      return { ...scope, mode, status: raw.status === undefined ? FAULT_DEFAULTS.status : integerParam(p('status'), raw.status, 200, 599) };
    case 'rate-limit':
      return {
        ...scope,
        mode,
        retryAfterSeconds:
          raw.retryAfterSeconds === undefined
            ? FAULT_DEFAULTS.retryAfterSeconds
            : integerParam(p('retryAfterSeconds'), raw.retryAfterSeconds, 0, FAULT_LIMITS.maxRetryAfterSeconds),
      };
    case 'rename-field': {
      const field = stringParam(p('field'), raw.field);
      const renameTo = stringParam(p('renameTo'), raw.renameTo);
      if (field === renameTo) throw new FaultRuleError(`${p('renameTo')} must differ from field`);
      return { ...scope, mode, field, renameTo };
    }
    case 'extra-field':
      return {
        ...scope,
        mode,
        field: raw.field === undefined ? FAULT_DEFAULTS.extraField : stringParam(p('field'), raw.field),
        value: raw.value === undefined ? FAULT_DEFAULTS.extraValue : jsonValueParam(p('value'), raw.value),
      };
    case 'total-drift':
      return {
        ...scope,
        mode,
        delta: raw.delta === undefined ? FAULT_DEFAULTS.delta : integerParam(p('delta'), raw.delta, -1_000_000_000, 1_000_000_000),
      };
    default:
      return { ...scope, mode };
  }
}

/** Validates a whole rule list (all or nothing): at most 100 rules, unique ids. */
export function normalizeFaultRules(raw: unknown): NormalizedFaultRule[] {
  if (!Array.isArray(raw)) throw new FaultRuleError('rules must be an array of fault rules');
  if (raw.length > FAULT_LIMITS.maxRules) throw new FaultRuleError(`rules: at most ${FAULT_LIMITS.maxRules} rules`);
  const rules = raw.map((r, i) => normalizeFaultRule(r, i));
  const seen = new Set<string>();
  rules.forEach((r, i) => {
    if (seen.has(r.id)) throw new FaultRuleError(`rules[${i}].id: duplicate id "${r.id}"`);
    seen.add(r.id);
  });
  return rules;
}
