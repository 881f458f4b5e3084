/** The time, injected so runs are reproducible in tests. */
export interface Clock {
  now(): Date;
}
