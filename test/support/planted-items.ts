import { expect } from 'vitest';
import { type PlantedDiscrepancy, positionKey } from '../../sandbox/book-types';
import type { RunningSandbox } from '../../sandbox/server';
import { refreshReportingRat } from '../../sandbox/views';

/** A finding's key as the discrepancies table stores it (`check:userId:asset`). */
export const keyOf = (d: { check: string; userId: string; asset: string }) => `${d.check}:${d.userId}:${d.asset}`;

/** The figures a planted discrepancy carries in the sandbox's ground truth (its check as a plain id). */
type Plant = Omit<PlantedDiscrepancy, 'check' | 'description'> & { check: string };

/** Asserts that the stored discrepancy items are exactly the plants, each with the plant's field and figures. */
export function expectExactlyPlanted(items: Record<string, unknown>[], planted: readonly Plant[]): void {
  expect(items.map((item) => keyOf(item as never)).sort()).toEqual(planted.map(keyOf).sort());
  for (const plant of planted) {
    const item = items.find((candidate) => keyOf(candidate as never) === keyOf(plant));
    expect(item, keyOf(plant)).toMatchObject({
      field: plant.field,
      expected: plant.expected,
      actual: plant.actual,
      difference: plant.difference,
    });
  }
}

/**
 * Corrects the first planted amount-split of the sandbox's book (Reporting's available becomes amount − locked), so
 * the next run resolves it; answers the plant.
 */
export function correctAmountSplitPlant(sandbox: RunningSandbox): PlantedDiscrepancy {
  const plant = sandbox.book.manifest.planted.find((candidate) => candidate.check === 'amount-split');
  if (!plant) throw new Error('no amount-split plant');
  const position = sandbox.book.index.positionByKey.get(positionKey(plant.userId, plant.asset));
  if (!position) throw new Error('planted position not in the book');
  position.reporting.availableAssetAmount = position.reporting.assetAmount - position.reporting.lockedAssetAmount;
  refreshReportingRat(position.reporting, position.asset, position.scale);
  return plant;
}
