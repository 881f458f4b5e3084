import { CHECK_IDS } from './check-id';
import { Amount } from './money';
import type { Severity } from './severity';

/** Every severity and every check has a group, zero when nothing falls in it: a chart across runs has no gaps. */
const SEVERITY_KEYS: readonly Severity[] = ['low', 'medium', 'high', 'critical'];

/** Count and root-asset value of a group of breaks: Σ |differenceInRoot|, `unpriced` counting those without one. */
export interface BreakGroup {
  count: number;
  value: string;
  unpriced: number;
}

/**
 * Open and acknowledged breaks per severity and per check, valued in the root asset: the run summary's `breaks`
 * (the trends across runs) and `GET /discrepancies/totals`. Values are exact decimal strings.
 */
export interface BreakTotals {
  rootAsset: string;
  bySeverity: Record<string, BreakGroup>;
  byCheck: Record<string, BreakGroup>;
}

/** What a break contributes to the totals: its grade, its check and its value in the root asset, if priced. */
export interface BreakFigures {
  severity: Severity;
  check: string;
  differenceInRoot?: string | undefined;
}

/** A group's running sum, kept exact until it is written out. */
interface GroupSum {
  count: number;
  value: Amount;
  unpriced: number;
}

/**
 * Adds breaks up one at a time (a run's map of open discrepancies, or a store's pages of them) into
 * {@link BreakTotals}, never holding them all.
 *
 * @example
 * const tally = new BreakTally('usd');
 * tally.add({ severity: 'high', check: 'cross-source', differenceInRoot: '-12000.5' });
 * tally.totals().bySeverity.high // { count: 1, value: '12000.5', unpriced: 0 }
 * tally.totals().bySeverity.low // { count: 0, value: '0', unpriced: 0 }
 */
export class BreakTally {
  private readonly bySeverity = zeroGroups(SEVERITY_KEYS);
  private readonly byCheck = zeroGroups(CHECK_IDS);

  constructor(private readonly rootAsset: string) {}

  add(figures: BreakFigures): void {
    const value = figures.differenceInRoot === undefined ? undefined : Amount.parse(figures.differenceInRoot).abs();
    for (const [groups, key] of [
      [this.bySeverity, figures.severity],
      [this.byCheck, figures.check],
    ] as const) {
      const group = groups.get(key) ?? { count: 0, value: Amount.ZERO, unpriced: 0 };
      group.count++;
      if (value) group.value = group.value.plus(value);
      else group.unpriced++;
      groups.set(key, group);
    }
  }

  totals(): BreakTotals {
    return { rootAsset: this.rootAsset, bySeverity: written(this.bySeverity), byCheck: written(this.byCheck) };
  }
}

/** The totals of `breaks`, in one call. */
export function breakTotals(rootAsset: string, breaks: Iterable<BreakFigures>): BreakTotals {
  const tally = new BreakTally(rootAsset);
  for (const figures of breaks) tally.add(figures);
  return tally.totals();
}

function zeroGroups(keys: readonly string[]): Map<string, GroupSum> {
  return new Map(keys.map((key) => [key, { count: 0, value: Amount.ZERO, unpriced: 0 }]));
}

function written(groups: Map<string, GroupSum>): Record<string, BreakGroup> {
  return Object.fromEntries(
    [...groups.entries()].map(([key, { count, value, unpriced }]) => [key, { count, value: value.toString(), unpriced }]),
  );
}
