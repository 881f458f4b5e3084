/** A snapshot of what the sandbox has served, for tests and for watching a product run. */
export interface SandboxStatsSnapshot {
  requests: Record<string, number>;
  totalRequests: number;
  multimarkets: { tooManyRequests: number; banned: number };
}

/** Counts requests per route and the MultiMarkets rate-limit answers (429 / 418). */
export class SandboxStats {
  private readonly requests = new Map<string, number>();
  private total = 0;
  tooManyRequests = 0;
  banned = 0;

  /** Counts one request to `route` (e.g. `POST /api/cats-gateway/get-user-amount`). */
  record(route: string): void {
    this.total++;
    this.requests.set(route, (this.requests.get(route) ?? 0) + 1);
  }

  /** A plain-object copy of the counters. */
  snapshot(): SandboxStatsSnapshot {
    return {
      requests: Object.fromEntries([...this.requests].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))),
      totalRequests: this.total,
      multimarkets: { tooManyRequests: this.tooManyRequests, banned: this.banned },
    };
  }
}
