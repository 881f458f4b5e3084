import { CHECK_IDS } from '../../lib/domain/check-id';

/** A discrepancy identified by check, user and asset: how planted and found ones are matched. */
export interface DiscrepancyKey {
  check: string;
  userId: string;
  asset: string;
}

/** How a run's discrepancies compare with the sandbox's planted ones. */
export interface PlantedComparison {
  perCheck: { check: string; found: number; planted: number }[];
  found: number;
  planted: number;
  unexpected: DiscrepancyKey[];
  missed: DiscrepancyKey[];
}

const keyOf = (d: DiscrepancyKey) => `${d.check}:${d.userId}:${d.asset}`;

/** Matches found discrepancies against the planted ones, per check. */
export function comparePlanted(planted: DiscrepancyKey[], found: DiscrepancyKey[]): PlantedComparison {
  const plantedKeys = new Set(planted.map(keyOf));
  const foundKeys = new Set(found.map(keyOf));
  const order = (check: string) => {
    const index = (CHECK_IDS as readonly string[]).indexOf(check);
    return index === -1 ? CHECK_IDS.length : index;
  };
  const checks = [...new Set([...planted.map((d) => d.check), ...found.map((d) => d.check)])].sort((a, b) => order(a) - order(b));
  return {
    perCheck: checks.map((check) => ({
      check,
      planted: planted.filter((d) => d.check === check).length,
      found: planted.filter((d) => d.check === check && foundKeys.has(keyOf(d))).length,
    })),
    planted: plantedKeys.size,
    found: planted.filter((d) => foundKeys.has(keyOf(d))).length,
    unexpected: found.filter((d) => !plantedKeys.has(keyOf(d))),
    missed: planted.filter((d) => !foundKeys.has(keyOf(d))),
  };
}

/**
 * The summary lines everyone compares with the sandbox's truth:
 * `  amount-split: found 3 of 3 planted` per check, then
 * `found 5 of 5 planted discrepancies, 0 unexpected`.
 */
export function formatComparison(comparison: PlantedComparison): string[] {
  return [
    ...comparison.perCheck.map(({ check, found, planted }) => `  ${check}: found ${found} of ${planted} planted`),
    `found ${comparison.found} of ${comparison.planted} planted discrepancies, ${comparison.unexpected.length} unexpected`,
  ];
}

/** Per asset, holders and Σ amount outside the reported totals (a run summary's `outsideTotals`, the sandbox's truth). */
export type OutsideTotals = Record<string, { users: number; amount: string }>;

/**
 * The holdings outside the reported totals (Bots', Admins'), information and not discrepancies, against the
 * sandbox's truth: one line per asset, then whether the run's figures equal it.
 */
export function formatOutsideTotals(found: OutsideTotals | undefined, truth: OutsideTotals): string[] {
  const assets = [...new Set([...Object.keys(found ?? {}), ...Object.keys(truth)])].sort();
  const same = assets.every((asset) => found?.[asset]?.users === truth[asset]?.users && found?.[asset]?.amount === truth[asset]?.amount);
  return [
    ...assets.map((asset) => {
      const shown = found?.[asset];
      return `  outside the totals (information): ${asset} ${shown ? `${shown.users} users, ${shown.amount}` : 'none'}`;
    }),
    `outside the totals: ${same ? 'as the sandbox holds them' : 'differs from the sandbox'} (${assets.length} assets)`,
  ];
}
