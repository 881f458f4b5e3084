/**
 * The check ids, used alike in code, DynamoDB, alerts, summaries and docs.
 * Each names one rule a balance must satisfy (see docs/checks.md).
 */
export const CHECK_IDS = [
  'amount-split',
  'cross-source',
  'roll-forward',
  'locked-orders',
  'venue-multimarkets',
  'venue-indx',
  'root-asset',
  'asset-totals',
  'presence',
  'sanity',
] as const;

/** One of {@link CHECK_IDS}. */
export type CheckId = (typeof CHECK_IDS)[number];
