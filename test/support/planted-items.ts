import { expect } from 'vitest';
import type { PlantedDiscrepancy } from '../../sandbox/book-types';

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
