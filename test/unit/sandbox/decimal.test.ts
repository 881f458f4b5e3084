import Decimal from 'decimal.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { divRoundHalfUp, formatFixed, formatUnits, parseUnits, toRootAsset, tryParseDecimal } from '../../../sandbox/decimal';

const D = Decimal.clone({ precision: 200, rounding: Decimal.ROUND_HALF_UP });

describe('sandbox decimal arithmetic', () => {
  it('formats bigint units canonically and parses them back unchanged (any sign, any scale up to 18)', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(10n ** 40n), max: 10n ** 40n }), fc.integer({ min: 0, max: 18 }), (units, scale) => {
        const text = formatUnits(units, scale);
        expect(text).toBe(new D(units.toString()).div(new D(10).pow(scale)).toFixed());
        expect(parseUnits(text, scale)).toBe(units);
        expect(parseUnits(formatFixed(units, scale), scale)).toBe(units);
      }),
    );
  });

  it('writes fixed-scale text with every decimal, and canonical text without trailing zeros', () => {
    expect(formatFixed(100n, 8)).toBe('0.00000100');
    expect(formatUnits(100n, 8)).toBe('0.000001');
    expect(formatUnits(-5n, 2)).toBe('-0.05');
    expect(formatUnits(0n, 18)).toBe('0');
    expect(formatUnits(9007199254740993123456789012345678n, 18)).toBe('9007199254740993.123456789012345678');
  });

  it('rounds half away from zero', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(10n ** 30n), max: 10n ** 30n }), fc.bigInt({ min: 1n, max: 10n ** 12n }), (n, d) => {
        expect(divRoundHalfUp(n, d).toString()).toBe(
          new D(n.toString()).div(d.toString()).toDecimalPlaces(0, Decimal.ROUND_HALF_UP).toFixed(),
        );
      }),
    );
  });

  it('converts to the root asset as value × rate rounded half-up to 8 decimals', () => {
    expect(formatFixed(toRootAsset(79_999_098_000n, 6, { units: 35_316_468n, scale: 8 }), 8)).toBe('28252.85584546');
    expect(formatFixed(toRootAsset(1n, 18, { units: 871n, scale: 8 }), 8)).toBe('0.00000000');
  });

  it('refuses exponents, blanks and stray characters as decimals', () => {
    for (const bad of ['1e5', '', ' 1', '1.', '.5', '--1', '0x10', 'NaN']) expect(tryParseDecimal(bad)).toBeUndefined();
    expect(() => parseUnits('0.001', 2)).toThrow(RangeError);
  });
});
