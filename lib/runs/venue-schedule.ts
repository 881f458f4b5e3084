import type { VenueBudgets, VenueCoverage } from '../ports/venues';

/**
 * The accounts to read in this run, in the order to read them: the most overdue first (never
 * checked, then the least recently checked), at most `budget`, ties broken by account key so two
 * runs over the same log choose the same accounts. Spending a budget larger than what is overdue
 * on accounts checked recently keeps every figure as fresh as the venue allows.
 *
 * @example
 * // last checked: a at 10:00, b never, c at 09:00; budget 2 → [b, c]
 * pickDueAccounts(['a', 'b', 'c'], (key) => key, new Map([['a', '…T10:00Z'], ['c', '…T09:00Z']]), 2)
 */
export function pickDueAccounts<T>(
  accounts: readonly T[],
  keyOf: (account: T) => string,
  lastChecked: ReadonlyMap<string, string>,
  budget: number,
): T[] {
  const ranked = accounts.map((account) => {
    const key = keyOf(account);
    return { account, key, at: checkedTime(lastChecked.get(key)) };
  });
  ranked.sort((a, b) => a.at - b.at || compareKeys(a.key, b.key));
  return ranked.slice(0, Math.max(0, budget)).map((entry) => entry.account);
}

/**
 * The coverage of a venue as of `now` (the end of the run): `lastChecked` must already hold this
 * run's checks. An account counts as covered only if its last recorded check is within the
 * window, so the figure never claims a check that was not recorded.
 *
 * @example
 * // window 24 h, now 2025-01-02T12:00Z; a checked 2025-01-02T06:00Z, b 2025-01-01T06:00Z, c never
 * venueCoverage({ keys: ['a', 'b', 'c'], lastChecked, checked: 1, now, windowSeconds: 86_400 })
 * // → { accounts: 3, checked: 1, overdue: 2, oldestCheckedAt: '2025-01-01T06:00:00.000Z', window: 86400 }
 */
export function venueCoverage(input: {
  keys: readonly string[];
  lastChecked: ReadonlyMap<string, string>;
  checked: number;
  now: Date;
  windowSeconds: number;
}): VenueCoverage {
  const { keys, lastChecked, checked, now, windowSeconds } = input;
  const since = now.getTime() - windowSeconds * 1000;
  let overdue = 0;
  let oldest: number | undefined;
  for (const key of keys) {
    const at = checkedTime(lastChecked.get(key));
    if (!(at >= since)) overdue++;
    if (Number.isFinite(at) && (oldest === undefined || at < oldest)) oldest = at;
  }
  return {
    accounts: keys.length,
    checked,
    overdue,
    ...(oldest !== undefined && { oldestCheckedAt: new Date(oldest).toISOString() }),
    window: windowSeconds,
  };
}

/**
 * The calls each venue may take in one run: what its pace allows in `runSeconds`. MultiMarkets'
 * limit is per API key, so its pace bounds the whole run. INDX's is per WMID ("about 1 call/s per
 * WMID") and a run reads each trader once, so no pace bounds the number of traders: INDX gets no
 * call budget and is bounded by time instead (`VenueSchedule.runSeconds`).
 *
 * @example
 * venueBudgets({ runSeconds: 300, multiMarketsRatePerMinute: 90 }) // → { multimarkets: 450 }
 */
export function venueBudgets(pace: { runSeconds: number; multiMarketsRatePerMinute?: number }): VenueBudgets {
  const { runSeconds, multiMarketsRatePerMinute } = pace;
  return {
    ...(multiMarketsRatePerMinute !== undefined && { multimarkets: Math.floor((multiMarketsRatePerMinute * runSeconds) / 60) }),
  };
}

/** A recorded check time in ms; never checked (or unreadable) sorts before every real time. */
function checkedTime(text: string | undefined): number {
  const at = text === undefined ? Number.NaN : Date.parse(text);
  return Number.isFinite(at) ? at : Number.NEGATIVE_INFINITY;
}

/** Code-unit order, the same on every machine (unlike `localeCompare`). */
function compareKeys(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
