import Decimal from 'decimal.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Amount, AmountFormatError, sum } from '../../../lib/domain/money';

/** An 80-digit decimal oracle, independent of the bigint implementation under test. */
const Oracle = Decimal.clone({ precision: 80, rounding: Decimal.ROUND_HALF_EVEN, toExpNeg: -100, toExpPos: 100 });

const decimalText = fc
  .tuple(fc.boolean(), fc.bigInt({ min: 0n, max: 10n ** 30n }), fc.integer({ min: 0, max: 18 }))
  .map(([negative, units, scale]) => {
    const digits = units.toString().padStart(scale + 1, '0');
    const text = scale === 0 ? digits : `${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
    return negative ? `-${text}` : text;
  });

describe('Amount', () => {
  it('keeps 18 decimals and values above 2^53 exactly', () => {
    expect(Amount.parse('9007199254740993.123456789012345678').toString()).toBe('9007199254740993.123456789012345678');
    expect(Amount.parse('79999.098000000000000001').minus(Amount.parse('1')).toString()).toBe('79998.098000000000000001');
  });

  it('reads exponent notation as JSON numbers may carry it', () => {
    expect(Amount.parse('1e-18').toString()).toBe('0.000000000000000001');
    expect(Amount.parse('1.5E+3').toString()).toBe('1500');
  });

  it('refuses text that is not a decimal number', () => {
    for (const text of ['', '.', 'abc', '1.2.3', '1,5', 'NaN', 'Infinity', '--1']) {
      expect(() => Amount.parse(text), text).toThrow(AmountFormatError);
      expect(Amount.isDecimal(text), text).toBe(false);
    }
  });

  it('accepts exactly the decimal grammar (sign, digits, fraction, exponent up to ±1000) and reads its value as the oracle does', () => {
    // The grammar as a regular expression, independent of the scanner under test.
    const grammar = /^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?(\d+))?\s*$/;
    const pieces = [
      '0',
      '1',
      '7',
      '9',
      '00',
      '123456789',
      '.',
      '-',
      '+',
      'e',
      'E',
      'e-',
      'e+',
      ' ',
      'x',
      '1000',
      '1001',
      '9999999999999999',
    ];
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...pieces), { maxLength: 8 }), (parts) => {
        const text = parts.join('');
        const match = grammar.exec(text);
        const accepted = match !== null && (match[3] === undefined || Number(match[3]) <= 1000);
        const amount = Amount.tryParse(text);
        expect(amount !== undefined, JSON.stringify(text)).toBe(accepted);
        expect(Amount.isDecimal(text)).toBe(accepted);
        if (amount) expect(new Oracle(amount.toString()).equals(new Oracle(text.trim())), JSON.stringify(text)).toBe(true);
        else expect(() => Amount.parse(text)).toThrow(AmountFormatError);
      }),
      { numRuns: 5000 },
    );
  });

  it('writes the shortest exact decimal: plain notation as the oracle writes it, no trailing zeros, no "-0"', () => {
    fc.assert(
      fc.property(decimalText, (text) => {
        const written = Amount.parse(text).toString();
        expect(written).toBe(new Oracle(text).toFixed());
        expect(written).not.toMatch(/\.\d*0$|\.$|^-0$/);
      }),
      { numRuns: 2000 },
    );
  });

  it('parses up to 15 and beyond 15 digits exactly', () => {
    expect(Amount.parse('999999999999999').units).toBe(999999999999999n);
    expect(Amount.parse('-0.00000000000000000000000000009999999999999999999').toString()).toBe(
      '-0.00000000000000000000000000009999999999999999999',
    );
    expect(Amount.parse('9007199254740993').units).toBe(9007199254740993n);
    expect(Amount.parse('1e1000').units).toBe(10n ** 1000n);
    expect(Amount.tryParse('1e1001')).toBeUndefined();
  });

  it('compares by value whatever the scale', () => {
    expect(Amount.parse('1.50').equals(Amount.parse('1.5'))).toBe(true);
    expect(Amount.parse('0.1').compare(Amount.parse('0.09'))).toBe(1);
  });

  it('rounds half to even', () => {
    expect(Amount.parse('0.125').roundTo(2).toString()).toBe('0.12');
    expect(Amount.parse('0.135').roundTo(2).toString()).toBe('0.14');
    expect(Amount.parse('-0.125').roundTo(2).toString()).toBe('-0.12');
    expect(Amount.parse('0.1251').roundTo(2).toString()).toBe('0.13');
  });

  it('rounds half up (a tie away from zero) when asked, as an 80-digit oracle does', () => {
    expect(Amount.parse('0.125').roundTo(2, 'half-up').toString()).toBe('0.13');
    expect(Amount.parse('-0.125').roundTo(2, 'half-up').toString()).toBe('-0.13');
    expect(Amount.parse('0.1249').roundTo(2, 'half-up').toString()).toBe('0.12');
    fc.assert(
      fc.property(decimalText, fc.integer({ min: 0, max: 18 }), (text, scale) => {
        const expected = new Oracle(text).toDecimalPlaces(scale, Decimal.ROUND_HALF_UP);
        expect(Amount.parse(text).roundTo(scale, 'half-up').equals(Amount.parse(expected.toFixed()))).toBe(true);
      }),
      { numRuns: 1000 },
    );
  });

  it('agrees with an 80-digit decimal oracle on sums, differences and products', () => {
    fc.assert(
      fc.property(decimalText, decimalText, (a, b) => {
        const x = Amount.parse(a);
        const y = Amount.parse(b);
        expect(x.plus(y).toString()).toBe(new Oracle(a).plus(b).toFixed());
        expect(x.minus(y).toString()).toBe(new Oracle(a).minus(b).toFixed());
        expect(x.times(y).toString()).toBe(new Oracle(a).times(b).toFixed());
        expect(x.compare(y)).toBe(new Oracle(a).comparedTo(b));
      }),
      { numRuns: 2000 },
    );
  });

  it('round-trips every decimal string through parse and toString', () => {
    fc.assert(
      fc.property(decimalText, (text) => {
        expect(Amount.parse(Amount.parse(text).toString()).equals(Amount.parse(text))).toBe(true);
        expect(Amount.parse(text).toString()).toBe(new Oracle(text).toFixed());
      }),
      { numRuns: 1000 },
    );
  });

  it('sums a list exactly', () => {
    expect(sum(['0.1', '0.2', '0.000000000000000001'].map(Amount.parse)).toString()).toBe('0.300000000000000001');
  });
});
