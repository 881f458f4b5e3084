/** A rolling-window limit with a ban for clients that keep calling while throttled. */
export interface RateLimitPolicy {
  /** requests allowed per key within `windowMs` */
  limit: number;
  windowMs: number;
  /** how long a client that calls during a throttle penalty is banned */
  banMs: number;
}

/** MultiMarkets' limit: 100 requests per rolling 60 s per companyId; calling while throttled bans the IP for 5 minutes. */
export const MULTIMARKETS_RATE_LIMIT: RateLimitPolicy = { limit: 100, windowMs: 60_000, banMs: 300_000 };

/** What to do with one request. */
export type RateDecision = { kind: 'allow' } | { kind: 'throttle'; retryAfterSeconds: number } | { kind: 'ban'; retryAfterSeconds: number };

/**
 * Rolling-window limiter: over `limit` requests per key in `windowMs` → throttle (429) until the oldest counted request
 * leaves the window; any request from the same client during that penalty → ban (418) for `banMs`.
 * Refused requests are not counted in the window.
 */
export class RollingWindowLimiter {
  private readonly windows = new Map<string, number[]>();
  private readonly penaltyUntil = new Map<string, number>();
  private readonly bannedUntil = new Map<string, number>();

  constructor(
    private readonly policy: RateLimitPolicy,
    private readonly now: () => number = Date.now,
  ) {}

  /** Decides on (and, when allowed, counts) one request of `client` under `key`. */
  check(key: string, client: string): RateDecision {
    const t = this.now();
    const secondsUntil = (until: number) => Math.max(1, Math.ceil((until - t) / 1000));
    const banned = this.bannedUntil.get(client);
    if (banned !== undefined && banned > t) return { kind: 'ban', retryAfterSeconds: secondsUntil(banned) };
    const penalty = this.penaltyUntil.get(key);
    if (penalty !== undefined && penalty > t) {
      const until = t + this.policy.banMs;
      this.bannedUntil.set(client, until);
      return { kind: 'ban', retryAfterSeconds: secondsUntil(until) };
    }
    let window = this.windows.get(key);
    if (!window) {
      window = [];
      this.windows.set(key, window);
    }
    let expired = 0;
    while (expired < window.length && (window[expired] as number) <= t - this.policy.windowMs) expired++;
    if (expired > 0) window.splice(0, expired);
    if (window.length >= this.policy.limit) {
      const until = (window[0] as number) + this.policy.windowMs;
      this.penaltyUntil.set(key, until);
      return { kind: 'throttle', retryAfterSeconds: secondsUntil(until) };
    }
    window.push(t);
    return { kind: 'allow' };
  }

  /**
   * Opens (or extends) the throttle penalty of `key` for `retryAfterSeconds` from now, as if the limiter had just answered
   * 429 itself: any request under `key` before it ends is banned (418) exactly like after a real throttle. Used by the
   * injected `rate-limit` fault; 0 seconds opens nothing.
   */
  penalize(key: string, retryAfterSeconds: number): void {
    if (retryAfterSeconds <= 0) return;
    const until = this.now() + retryAfterSeconds * 1000;
    const current = this.penaltyUntil.get(key);
    if (current === undefined || current < until) this.penaltyUntil.set(key, until);
  }

  /** True when `check(key, client)` would refuse now (client banned, or `key` inside a throttle penalty); changes nothing. */
  refusing(key: string, client: string): boolean {
    const t = this.now();
    const banned = this.bannedUntil.get(client);
    if (banned !== undefined && banned > t) return true;
    const penalty = this.penaltyUntil.get(key);
    return penalty !== undefined && penalty > t;
  }

  /** Forgets every window, penalty and ban (control route / tests). */
  reset(): void {
    this.windows.clear();
    this.penaltyUntil.clear();
    this.bannedUntil.clear();
  }
}
