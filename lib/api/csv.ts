/**
 * RFC 4180 CSV of the API's records, shared by the CLI's `export --format csv` and the console's
 * "Export CSV": one writer, so a file from either opens the same way in a spreadsheet. Pure (no
 * Node, no DOM): the console bundles it into the browser. Values are written as the API sent them,
 * so an exact decimal such as `-0.000000000000000001` stays that text.
 */

/**
 * One CSV field (RFC 4180): quoted when it holds a comma, a quote, a CR or an LF, with quotes
 * doubled; otherwise exactly as given, so `-0.000000000000000001` stays that text.
 * @example csvField('say "hi", then go') // '"say ""hi"", then go"'
 */
export function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

/** Records as RFC 4180 CSV: fields joined by commas, every record ended by CRLF. */
export function toCsv(records: readonly (readonly string[])[]): string {
  return records.map((record) => `${record.map(csvField).join(',')}\r\n`).join('');
}

/** A plain decimal, as the API writes amounts: `-1.5`, `0.000000000000000001`. */
const PLAIN_DECIMAL = /^-?\d+(?:\.\d+)?$/;
/** What makes a spreadsheet read a cell as a formula (OWASP, CSV injection): `=`, `+`, `-`, `@`, tab, CR. */
const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * A text cell a spreadsheet shows as text: one beginning with `=`, `+`, `-`, `@`, tab or CR gets a
 * leading `'`, as OWASP advises, so `=HYPERLINK(…)` in a note is never a live formula.
 * @example csvText('=1+1') // "'=1+1"
 */
export function csvText(value: string): string {
  return FORMULA_START.test(value) ? `'${value}` : value;
}

/** The columns of discrepancies that hold amounts or counts: kept as numbers a spreadsheet can add up. */
export const AMOUNT_COLUMNS: ReadonlySet<string> = new Set([
  'expected',
  'actual',
  'difference',
  'differenceInRoot',
  'largestDifference',
  'runsSeen',
]);

/** One cell: an amount stays a number only while it is a plain decimal; anything else is text. */
function csvCell(column: string, value: string): string {
  return AMOUNT_COLUMNS.has(column) && PLAIN_DECIMAL.test(value) ? value : csvText(value);
}

/**
 * Records as CSV with a header row of the given columns, in order; an absent value is an empty
 * field; text cells never start a formula.
 * @example recordsCsv(['id', 'difference'], [{ id: 'a', difference: '-1.5' }]) // 'id,difference\r\na,-1.5\r\n'
 */
export function recordsCsv<T extends object, K extends keyof T & string>(columns: readonly K[], items: readonly T[]): string {
  const rows = items.map((item) => columns.map((column) => (item[column] === undefined ? '' : csvCell(column, String(item[column])))));
  return toCsv([columns, ...rows]);
}
