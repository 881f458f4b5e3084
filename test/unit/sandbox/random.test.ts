import { describe, expect, it } from 'vitest';
import { Rng } from '../../../sandbox/random';
import { isoFromMicros, parseIsoToMicros } from '../../../sandbox/time';

describe('the seeded PRNG', () => {
  it('repeats the same sequence for the same seed and differs for another seed', () => {
    const draw = (seed: number) => {
      const rng = new Rng(seed);
      return [rng.uint32(), rng.int(1, 6), rng.guid(), rng.bigint(0n, 10n ** 30n).toString(), rng.hex(64)];
    };
    expect(draw(42)).toEqual(draw(42));
    expect(draw(42)).not.toEqual(draw(43));
  });

  it('keeps ints and bigints within their inclusive bounds and reaches both ends', () => {
    const rng = new Rng(7);
    const ints = new Set<number>();
    for (let i = 0; i < 2000; i++) {
      const n = rng.int(-2, 2);
      expect(n).toBeGreaterThanOrEqual(-2);
      expect(n).toBeLessThanOrEqual(2);
      ints.add(n);
      const b = rng.bigint(10n ** 20n, 10n ** 20n + 3n);
      expect(b >= 10n ** 20n && b <= 10n ** 20n + 3n).toBe(true);
    }
    expect([...ints].sort()).toEqual([-1, -2, 0, 1, 2]);
  });

  it('makes GUID-shaped ids and honours weights', () => {
    const rng = new Rng(1);
    expect(rng.guid()).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    let heavy = 0;
    for (let i = 0; i < 10_000; i++)
      if (
        rng.weighted([
          ['a', 90],
          ['b', 10],
        ] as const) === 'a'
      )
        heavy++;
    expect(heavy).toBeGreaterThan(8700);
    expect(heavy).toBeLessThan(9300);
  });

  it('writes ISO timestamps with six fractional digits that parse back to the same microsecond', () => {
    const rng = new Rng(3);
    for (let i = 0; i < 500; i++) {
      const us = rng.micros(1_600_000_000_000_000, 1_720_000_000_000_000);
      const iso = isoFromMicros(us);
      expect(iso).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/);
      expect(iso.slice(0, 23)).toBe(new Date(Math.floor(us / 1000)).toISOString().slice(0, 23));
      expect(parseIsoToMicros(iso)).toBe(us);
    }
  });
});
