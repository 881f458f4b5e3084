/**
 * How the console shows figures and times: amounts stay the API's exact decimal strings, never a
 * JS number (a number would round `0.000000000000000001` away); only the digits are grouped.
 */

/**
 * An exact decimal with its integer digits grouped by thousands; the fraction is untouched.
 * Anything that is not a plain decimal is shown as it came.
 * @example formatAmount('-1234567.000000000000000001') // '-1,234,567.000000000000000001'
 */
export function formatAmount(decimal: string): string {
  const match = /^(-?)(\d+)(\.\d+)?$/.exec(decimal);
  if (!match) return decimal;
  const [, sign = '', digits = '', fraction = ''] = match;
  return `${sign}${digits.replace(/\B(?=(\d{3})+(?!\d))/g, ',')}${fraction}`;
}

/**
 * An ISO time as `YYYY-MM-DD HH:MM:SS UTC`: the same text for every analyst, whatever their zone.
 * @example formatTime('2026-12-07T04:55:02.123Z') // '2026-12-07 04:55:02 UTC'
 */
export function formatTime(iso: string | undefined): string {
  if (!iso) return '';
  const match = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2})(?:\.\d+)?Z$/.exec(iso);
  return match ? `${match[1]} ${match[2]} UTC` : iso;
}

/**
 * A decimal string as a chart coordinate. Charts draw with floats; the exact figure is what the
 * tables, the totals and the export show, never this.
 * @example chartCoordinate('12.5') // 12.5
 */
export function chartCoordinate(decimal: string): number | null {
  const value = Number.parseFloat(decimal);
  return Number.isFinite(value) ? value : null;
}
