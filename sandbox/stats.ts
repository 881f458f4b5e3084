import { FAULT_MODES, type FaultMode } from './fault-rules';

/** A snapshot of what the sandbox has served, for tests and for watching a product run. */
export interface SandboxStatsSnapshot {
  requests: Record<string, number>;
  totalRequests: number;
  /** answers of the MultiMarkets limiter itself: its own 429s, and every 418 (including bans after an injected 429) */
  multimarkets: { tooManyRequests: number; banned: number };
  /** faults applied: in all (a request two rules changed counts twice) and per mode (every mode listed, 0 when unused) */
  faults: { applied: number; byMode: Record<FaultMode, number> };
  /**
   * rows (`data` entries) of the Reporting answers served, per report (`transfers`, `orders/transactions`, …) and in
   * all, as the handler computed them (before any drift fault; answers a fault replaced carry none; a `repeat-page`
   * rule adds the rows of the page it reads again, from page 2 on, whether or not it applies)
   */
  reportingRows: { total: number; byReport: Record<string, number> };
}

/** Counts requests per route, the MultiMarkets rate-limit answers (429 / 418), the faults applied and Reporting rows served. */
export class SandboxStats {
  private readonly requests = new Map<string, number>();
  private total = 0;
  private readonly faults = new Map<FaultMode, number>();
  private readonly rows = new Map<string, number>();
  tooManyRequests = 0;
  banned = 0;

  /** Sets every counter back to zero (fault rules keep their own counters: see `SandboxFaults`). */
  reset(): void {
    this.requests.clear();
    this.total = 0;
    this.faults.clear();
    this.rows.clear();
    this.tooManyRequests = 0;
    this.banned = 0;
  }

  /** Counts one request to `route` (e.g. `POST /api/cats-gateway/get-user-amount`). */
  record(route: string): void {
    this.total++;
    this.requests.set(route, (this.requests.get(route) ?? 0) + 1);
  }

  /** Counts one request affected by a fault rule of `mode`. */
  recordFault(mode: FaultMode): void {
    this.faults.set(mode, (this.faults.get(mode) ?? 0) + 1);
  }

  /** Counts the rows of one Reporting answer of `report` (e.g. `orders/transactions`). */
  recordRows(report: string, rows: number): void {
    this.rows.set(report, (this.rows.get(report) ?? 0) + rows);
  }

  /** A plain-object copy of the counters. */
  snapshot(): SandboxStatsSnapshot {
    const byMode = Object.fromEntries(FAULT_MODES.map((m) => [m, this.faults.get(m) ?? 0])) as Record<FaultMode, number>;
    return {
      requests: sorted(this.requests),
      totalRequests: this.total,
      multimarkets: { tooManyRequests: this.tooManyRequests, banned: this.banned },
      faults: { applied: Object.values(byMode).reduce((sum, n) => sum + n, 0), byMode },
      reportingRows: { total: [...this.rows.values()].reduce((sum, n) => sum + n, 0), byReport: sorted(this.rows) },
    };
  }
}

/** A counter map as a plain object, keys in order. */
function sorted(counts: ReadonlyMap<string, number>): Record<string, number> {
  return Object.fromEntries([...counts].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
