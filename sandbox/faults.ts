/**
 * Fault injection in front of the upstream route handlers: switchable rules that make the sandbox misbehave the way a
 * real upstream does (slow, failing, throttling, hanging, cut off, not JSON, drifted schema, unstable paging).
 * Rules are set with `server.sandboxFaults.set(rules)`, `startSandbox({ faults })` or `POST /__sandbox/faults`.
 */
import { type ServerResponse, STATUS_CODES } from 'node:http';
import {
  endpointMatches,
  FAULT_DEFAULTS,
  type FaultMode,
  type FaultRule,
  type NormalizedFaultRule,
  normalizeFaultRules,
  pathSegments,
  REPLACING_MODES,
  type Upstream,
  VALUE_MODES,
} from './fault-rules';
import {
  addExtraField,
  driftTotal,
  pageOf,
  renameKey,
  requestForPage,
  rowsOfPagedText,
  type Transformed,
  truncateBody,
  withRows,
} from './fault-transforms';
import { json, type SandboxRequest, type SandboxResponse, send } from './http-kit';
import { type JsonValue, parseJsonLossless, writeJson } from './json-text';
import { MULTIMARKETS_CODES, MULTIMARKETS_TOO_MANY_REQUESTS, multimarketsFailure, multimarketsLimitKey } from './multimarkets';
import type { RollingWindowLimiter } from './rate-limiter';
import type { SandboxStats } from './stats';

export {
  FAULT_LIMITS,
  FAULT_MODES,
  FAULT_TARGETS,
  type FaultMode,
  type FaultRule,
  FaultRuleError,
  type FaultTarget,
  type NormalizedFaultRule,
  type Upstream,
} from './fault-rules';

/** Body of the `non-json` fault (served as text/html with status 200). */
export const NON_JSON_BODY = '<html><body>Bad gateway</body></html>';

/** An active rule as listed: its effective parameters, the requests it counted and those it affected. */
export type FaultRuleStatus = NormalizedFaultRule & {
  /** requests that matched target + endpoint and that the mode could act on (what `after` and `times` count) */
  matched: number;
  /** requests the rule changed */
  affected: number;
};

/** The programmatic handle on a sandbox's fault rules (`server.sandboxFaults`). */
export interface SandboxFaults {
  /** Replaces the active rules (validated all or nothing: throws FaultRuleError, keeping the old rules) and restarts their counters. */
  set(rules: readonly FaultRule[]): void;
  /** Removes every rule (requests already held stay held until they end or `releaseHeld()`). */
  clear(): void;
  /** The active rules in evaluation order, with their counters. */
  list(): FaultRuleStatus[];
  /** Requests held open right now (`hang`, or `latency` not yet elapsed). */
  heldRequests(): number;
  /** Destroys the connections of held requests (RunningSandbox.close() does this first); returns how many. */
  releaseHeld(): number;
}

/** What the fault layer did with one request (for the request log). */
export interface FaultOutcome {
  /** status sent (or to be sent after the delay); undefined when the request hangs */
  status?: number;
  /** modes applied, in order */
  modes: FaultMode[];
  delayMs: number;
}

/** Dependencies of the fault layer. */
export interface FaultInjectorDeps {
  stats: SandboxStats;
  /** the MultiMarkets limiter: injected 429s open its penalty window, and requests it refuses bypass every rule */
  limiter: RollingWindowLimiter;
  now: () => number;
}

interface ActiveRule {
  rule: NormalizedFaultRule;
  endpoint: string[] | undefined;
  matched: number;
  affected: number;
}

const is2xx = (status: number) => status >= 200 && status < 300;

/** The fault layer of one sandbox server. */
export class FaultInjector implements SandboxFaults {
  private rules: ActiveRule[] = [];
  private readonly held = new Map<ServerResponse, NodeJS.Timeout | undefined>();

  constructor(private readonly deps: FaultInjectorDeps) {}

  set(rules: readonly FaultRule[]): void {
    this.rules = normalizeFaultRules(rules).map((rule) => ({
      rule,
      endpoint: rule.endpoint === undefined ? undefined : pathSegments(rule.endpoint),
      matched: 0,
      affected: 0,
    }));
  }

  clear(): void {
    this.rules = [];
  }

  list(): FaultRuleStatus[] {
    return this.rules.map((a) => ({ ...a.rule, matched: a.matched, affected: a.affected }));
  }

  heldRequests(): number {
    return this.held.size;
  }

  releaseHeld(): number {
    const count = this.held.size;
    for (const [res, timer] of this.held) {
      clearTimeout(timer);
      res.destroy();
    }
    this.held.clear();
    return count;
  }

  /**
   * Answers one upstream request through the active rules, writing to `res` (now, after a delay, or never).
   * Rule evaluation is synchronous, so counters follow the order in which request bodies finish arriving.
   */
  serve(upstream: Upstream, req: SandboxRequest, handler: (req: SandboxRequest) => SandboxResponse, res: ServerResponse): FaultOutcome {
    const path = pathSegments(req.path);
    const rules = this.rules.filter(
      (a) => (a.rule.target === 'any' || a.rule.target === upstream) && (a.endpoint === undefined || endpointMatches(a.endpoint, path)),
    );
    // A request the MultiMarkets limiter refuses (penalty or ban) gets its 418 before any rule sees it, as upstream.
    const refused = upstream === 'multimarkets' && this.deps.limiter.refusing(multimarketsLimitKey(req), req.remoteAddress);
    if (rules.length === 0 || refused) {
      const answer = handler(req);
      send(res, answer);
      return { status: answer.status, modes: [], delayMs: 0 };
    }

    const modes: FaultMode[] = [];
    let delayMs = 0;
    let answer: SandboxResponse | undefined;
    for (const a of rules) {
      const { rule } = a;
      if (rule.mode !== 'latency' && !REPLACING_MODES.has(rule.mode)) continue;
      if (!this.take(a)) continue;
      modes.push(rule.mode);
      if (rule.mode === 'latency') {
        delayMs += rule.latencyMs;
        continue;
      }
      if (rule.mode === 'hang') {
        this.hold(res, undefined);
        return { modes, delayMs };
      }
      answer = this.replacement(rule, upstream, req);
      break;
    }
    answer ??= this.transformed(rules, req, handler, modes);

    if (delayMs === 0) {
      send(res, answer);
    } else {
      const delayed = answer;
      const timer = setTimeout(() => {
        this.held.delete(res);
        if (!res.destroyed) send(res, delayed);
      }, delayMs);
      this.hold(res, timer);
    }
    return { status: answer.status, modes, delayMs };
  }

  /** Counts a request for `a` and decides whether `a` affects it (past `after`, within `times`). */
  private take(a: ActiveRule): boolean {
    a.matched++;
    if (a.matched <= a.rule.after) return false;
    if (a.rule.times !== undefined && a.affected >= a.rule.times) return false;
    a.affected++;
    this.deps.stats.recordFault(a.rule.mode);
    return true;
  }

  private hold(res: ServerResponse, timer: NodeJS.Timeout | undefined): void {
    this.held.set(res, timer);
    res.once('close', () => {
      clearTimeout(timer);
      this.held.delete(res);
    });
  }

  /** The answer of a replacing mode (status, rate-limit, non-json). */
  private replacement(rule: NormalizedFaultRule, upstream: Upstream, req: SandboxRequest): SandboxResponse {
    switch (rule.mode) {
      case 'status': {
        const status = rule.status ?? FAULT_DEFAULTS.status;
        return json(status, { error: `Injected fault: ${status} ${STATUS_CODES[status] ?? 'Error'}` });
      }
      case 'rate-limit': {
        const seconds = rule.retryAfterSeconds ?? FAULT_DEFAULTS.retryAfterSeconds;
        const headers = { 'retry-after': String(seconds) };
        if (upstream !== 'multimarkets') return json(429, { error: 'Too many requests' }, headers);
        // the same penalty window a real 429 opens: calling again before it ends gets 418 and a ban
        this.deps.limiter.penalize(multimarketsLimitKey(req), seconds);
        return multimarketsFailure(req, this.deps.now(), MULTIMARKETS_CODES.tooManyRequests, MULTIMARKETS_TOO_MANY_REQUESTS, 429, headers);
      }
      case 'non-json':
        return { status: 200, headers: { 'content-type': 'text/html; charset=utf-8' }, body: NON_JSON_BODY };
      default:
        throw new Error(`not a replacing fault mode: ${rule.mode}`);
    }
  }

  /** The real answer with the value-level modes (2xx JSON only) and then `truncate` applied, in rule order. */
  private transformed(
    rules: readonly ActiveRule[],
    req: SandboxRequest,
    handler: (req: SandboxRequest) => SandboxResponse,
    modes: FaultMode[],
  ): SandboxResponse {
    let answer = handler(req);
    const valueRules = rules.filter((a) => VALUE_MODES.has(a.rule.mode));
    if (valueRules.length > 0 && is2xx(answer.status)) {
      let value: unknown;
      let parsed = true;
      try {
        value = parseJsonLossless(answer.body);
      } catch {
        parsed = false;
      }
      let changed = false;
      for (const a of parsed ? valueRules : []) {
        const result = this.valueChange(a.rule, value, req, handler);
        if (result?.changed && this.take(a)) {
          value = result.value;
          changed = true;
          modes.push(a.rule.mode);
        }
      }
      if (changed) answer = { ...answer, body: writeJson(value as JsonValue) };
    }
    for (const a of rules) {
      if (a.rule.mode === 'truncate' && answer.body.length > 0 && this.take(a)) {
        answer = { ...answer, body: truncateBody(answer.body) };
        modes.push('truncate');
      }
    }
    return answer;
  }

  /** What a value-level mode would make of `value` (undefined / unchanged when it cannot act on it). */
  private valueChange(
    rule: NormalizedFaultRule,
    value: unknown,
    req: SandboxRequest,
    handler: (req: SandboxRequest) => SandboxResponse,
  ): Transformed | undefined {
    switch (rule.mode) {
      case 'rename-field':
        return renameKey(value, rule.field, rule.renameTo);
      case 'extra-field':
        return addExtraField(value, rule.field ?? FAULT_DEFAULTS.extraField, rule.value ?? FAULT_DEFAULTS.extraValue);
      case 'total-drift': {
        const page = pageOf(value);
        return page !== undefined && page >= 2 ? driftTotal(value, rule.delta ?? FAULT_DEFAULTS.delta) : undefined;
      }
      case 'repeat-page': {
        const page = pageOf(value);
        if (page === undefined || page < 2) return undefined;
        const body = requestForPage(req.body, page - 1);
        if (body === undefined) return undefined;
        const previous = handler({ ...req, body });
        const rows = is2xx(previous.status) ? rowsOfPagedText(previous.body) : undefined;
        if (rows === undefined) return undefined;
        const current = (value as { data: unknown[] }).data;
        return { value: withRows(value, rows), changed: writeJson(rows as JsonValue) !== writeJson(current as JsonValue) };
      }
      default:
        return undefined;
    }
  }
}
