import { FAULT_MODES, type FaultMode } from './fault-rules';

/** A snapshot of what the sandbox has served, for tests and for watching a product run. */
export interface SandboxStatsSnapshot {
  requests: Record<string, number>;
  totalRequests: number;
  /** answers of the MultiMarkets limiter itself: its own 429s, and every 418 (including bans after an injected 429) */
  multimarkets: { tooManyRequests: number; banned: number };
  /** faults applied: in all (a request two rules changed counts twice) and per mode (every mode listed, 0 when unused) */
  faults: { applied: number; byMode: Record<FaultMode, number> };
}

/** Counts requests per route, the MultiMarkets rate-limit answers (429 / 418) and the faults applied. */
export class SandboxStats {
  private readonly requests = new Map<string, number>();
  private total = 0;
  private readonly faults = new Map<FaultMode, number>();
  tooManyRequests = 0;
  banned = 0;

  /** Counts one request to `route` (e.g. `POST /api/cats-gateway/get-user-amount`). */
  record(route: string): void {
    this.total++;
    this.requests.set(route, (this.requests.get(route) ?? 0) + 1);
  }

  /** Counts one request affected by a fault rule of `mode`. */
  recordFault(mode: FaultMode): void {
    this.faults.set(mode, (this.faults.get(mode) ?? 0) + 1);
  }

  /** A plain-object copy of the counters. */
  snapshot(): SandboxStatsSnapshot {
    const byMode = Object.fromEntries(FAULT_MODES.map((m) => [m, this.faults.get(m) ?? 0])) as Record<FaultMode, number>;
    return {
      requests: Object.fromEntries([...this.requests].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))),
      totalRequests: this.total,
      multimarkets: { tooManyRequests: this.tooManyRequests, banned: this.banned },
      faults: { applied: Object.values(byMode).reduce((sum, n) => sum + n, 0), byMode },
    };
  }
}
