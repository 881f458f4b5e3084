/**
 * How many retries one run may spend across all upstreams. When a source is down, retrying
 * every call would multiply the load on it and the run's duration; past the budget, failures
 * are final and the affected checks become `unknown`.
 */
export class RetryBudget {
  private left: number;

  constructor(private readonly size: number) {
    this.left = size;
  }

  /** Spends one retry; false when none is left. */
  take(): boolean {
    if (this.left <= 0) return false;
    this.left--;
    return true;
  }

  /** Retries spent since the last reset. */
  get spent(): number {
    return this.size - this.left;
  }

  /** Refills the budget, at the start of each run. */
  reset(): void {
    this.left = this.size;
  }
}
