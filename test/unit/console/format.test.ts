import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatAmount, formatTime } from '../../../console/src/format';

describe('formatAmount', () => {
  it('groups the integer digits by thousands and leaves the fraction exactly as sent', () => {
    expect(formatAmount('-1234567.000000000000000001')).toBe('-1,234,567.000000000000000001');
    expect(formatAmount('999')).toBe('999');
    expect(formatAmount('1000')).toBe('1,000');
    expect(formatAmount('0.123456789012345678901234567890')).toBe('0.123456789012345678901234567890');
  });

  it('never changes a digit: without its commas the text is the decimal the API sent', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^-?\d{1,40}(\.\d{1,40})?$/), (decimal) => {
        expect(formatAmount(decimal).replaceAll(',', '')).toBe(decimal);
      }),
    );
  });

  it('shows anything that is not a plain decimal as it came', () => {
    expect(formatAmount('1e21')).toBe('1e21');
    expect(formatAmount('n/a')).toBe('n/a');
  });
});

describe('formatTime', () => {
  it('writes an ISO time in UTC to the second', () => {
    expect(formatTime('2026-12-07T04:55:02.123Z')).toBe('2026-12-07 04:55:02 UTC');
    expect(formatTime('2026-12-07T04:55:02Z')).toBe('2026-12-07 04:55:02 UTC');
  });

  it('leaves other texts alone and shows nothing for no time', () => {
    expect(formatTime('2026-12-07T04:55:02+01:00')).toBe('2026-12-07T04:55:02+01:00');
    expect(formatTime(undefined)).toBe('');
  });
});
