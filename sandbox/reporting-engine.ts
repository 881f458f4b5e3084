import { compareDecimals, type Decimal, tryParseDecimal } from './decimal';
import { integerOf, isJsonObject, type JsonValue, textOf } from './json-text';
import { DAY_US, isDateOnly, isoFromMicros, parseIsoToMicros } from './time';

/** A report cell: decimal strings, ids, timestamps, booleans or role lists. */
export type Cell = string | boolean | readonly string[];
/** Reads one cell of a record. */
export type Getter<T, C> = (record: T, ctx: C) => Cell;
/** Paging member name of a report's answer (`per_page` in most, `perPage` in some). */
export type PagingKey = 'per_page' | 'perPage';

/** `per_page` when a request sends none: 15, as every answer example of the reporting document shows. */
export const DEFAULT_PER_PAGE = 15;
/**
 * The sandbox's default page cap: every paged endpoint answers at most this many rows a page, whatever
 * `per_page` asks (the documents' examples all answer 15 and no request example sends paging: the server decides).
 */
export const DEFAULT_PAGE_CAP = 15;
/** The largest page cap the sandbox can be set to. */
export const MAX_PER_PAGE = 1000;

/** A report that failed validation: answered 400 with this message. */
export class ReportQueryError extends Error {}

/** A validated filter, its field resolved to a column name. */
export type ReportFilter =
  | { kind: 'Exact'; column: string; values: string[]; exclude: boolean }
  | { kind: 'NumericRange'; column: string; from?: Decimal; to?: Decimal }
  | { kind: 'DateRange'; column: string; fromUs?: number; toUs?: number };

/** A validated report request. */
export interface ReportQuery {
  filters: ReportFilter[];
  sort?: { column: string; descending: boolean };
  page: number;
  perPage: number;
  /** request `filters` and `sort` as sent, echoed in the answer */
  echo: { filters: JsonValue; sort: JsonValue | undefined };
}

/** One page of a report, ready to be written. */
export interface ReportPage {
  filters: JsonValue;
  sort?: JsonValue;
  paging: { page: number; total: number; per_page?: number; perPage?: number };
  data: Record<string, Cell>[];
}

/** Resolves a requested field name to a column (case-insensitive; `Asset` also finds `assetId`). */
export function makeResolver(columns: readonly string[]): (field: string) => string | undefined {
  const byLower = new Map(columns.map((c) => [c.toLowerCase(), c]));
  return (field) => byLower.get(field.toLowerCase()) ?? byLower.get(`${field.toLowerCase()}id`);
}

function parseFilter(raw: unknown, resolve: (field: string) => string | undefined, report: string): ReportFilter {
  if (!isJsonObject(raw)) throw new ReportQueryError('Each filter must be an object with entryType and field');
  const field = textOf(raw.field);
  const entryType = textOf(raw.entryType);
  if (field === undefined) throw new ReportQueryError('Filter field is required');
  const column = resolve(field);
  if (column === undefined) throw new ReportQueryError(`Unknown filter field "${field}" for report ${report}`);
  switch (entryType) {
    case 'Exact': {
      if (!Array.isArray(raw.values)) throw new ReportQueryError(`Exact filter on "${field}" needs a values array`);
      const values = raw.values.map((v) => {
        const text = textOf(v);
        if (text === undefined) throw new ReportQueryError(`Exact filter on "${field}" accepts only string values`);
        return text;
      });
      if (raw.exclude !== undefined && typeof raw.exclude !== 'boolean')
        throw new ReportQueryError(`Exact filter on "${field}": exclude must be a boolean`);
      return { kind: 'Exact', column, values, exclude: raw.exclude === true };
    }
    case 'NumericRange': {
      const bound = (name: 'from' | 'to'): Decimal | undefined => {
        const v = raw[name];
        if (v === undefined || v === null) return undefined;
        const text = textOf(v);
        const d = text === undefined ? undefined : tryParseDecimal(text);
        if (!d) throw new ReportQueryError(`NumericRange filter on "${field}": ${name} must be a decimal string`);
        return d;
      };
      return { kind: 'NumericRange', column, from: bound('from'), to: bound('to') };
    }
    case 'DateRange': {
      const bound = (name: 'from' | 'to'): number | undefined => {
        const v = raw[name];
        if (v === undefined || v === null) return undefined;
        const text = textOf(v);
        const us = text === undefined ? undefined : parseIsoToMicros(text);
        if (us === undefined || text === undefined)
          throw new ReportQueryError(`DateRange filter on "${field}": ${name} must be an ISO date or date-time`);
        // a date-only upper bound covers that whole day
        return name === 'to' && isDateOnly(text) ? us + DAY_US - 1 : us;
      };
      return { kind: 'DateRange', column, fromUs: bound('from'), toUs: bound('to') };
    }
    default:
      throw new ReportQueryError(`Unknown filter entryType "${entryType ?? ''}" (use Exact, NumericRange or DateRange)`);
  }
}

/** Validates a report request body: filters, sort and paging (`per_page` or `perPage`, at most `pageCap`). */
export function parseReportQuery(body: unknown, columns: readonly string[], report: string, pageCap = DEFAULT_PAGE_CAP): ReportQuery {
  if (!isJsonObject(body)) throw new ReportQueryError('Request body must be a JSON object');
  const resolve = makeResolver(columns);
  const rawFilters = body.filters ?? [];
  if (!Array.isArray(rawFilters)) throw new ReportQueryError('filters must be an array');
  const filters = rawFilters.map((f) => parseFilter(f, resolve, report));

  let sort: ReportQuery['sort'];
  if (body.sort !== undefined && body.sort !== null) {
    if (!isJsonObject(body.sort)) throw new ReportQueryError('sort must be an object with field and direction');
    const field = textOf(body.sort.field);
    const column = field === undefined ? undefined : resolve(field);
    if (column === undefined) throw new ReportQueryError(`Unknown sort field "${field ?? ''}" for report ${report}`);
    const direction = (textOf(body.sort.direction) ?? 'Asc').toLowerCase();
    if (direction !== 'asc' && direction !== 'desc') throw new ReportQueryError('sort direction must be Asc or Desc');
    sort = { column, descending: direction === 'desc' };
  }

  let page = 1;
  let perPage = DEFAULT_PER_PAGE;
  if (body.paging !== undefined && body.paging !== null) {
    if (!isJsonObject(body.paging)) throw new ReportQueryError('paging must be an object with page and per_page');
    const p = integerOf(body.paging.page);
    const pp = integerOf(body.paging.per_page ?? body.paging.perPage);
    if (p !== undefined) page = Math.max(1, p);
    if (pp !== undefined) perPage = Math.max(1, pp);
  }
  perPage = Math.min(perPage, pageCap);
  return {
    filters,
    sort,
    page,
    perPage,
    echo: { filters: rawFilters as JsonValue, sort: body.sort === undefined ? undefined : (body.sort as JsonValue) },
  };
}

function cellText(cell: Cell): string {
  return typeof cell === 'string' ? cell : typeof cell === 'boolean' ? String(cell) : cell.join(',');
}

/** A predicate over cells implementing one filter. */
export function filterPredicate(filter: ReportFilter): (cell: Cell) => boolean {
  switch (filter.kind) {
    case 'Exact': {
      const wanted = new Set(filter.values);
      const hit = (cell: Cell) =>
        typeof cell === 'string'
          ? wanted.has(cell)
          : typeof cell === 'boolean'
            ? wanted.has(String(cell))
            : cell.some((v) => wanted.has(v));
      return filter.exclude ? (cell) => !hit(cell) : hit;
    }
    case 'NumericRange':
      return (cell) => {
        const d = typeof cell === 'string' ? tryParseDecimal(cell) : undefined;
        if (!d) return false;
        return (!filter.from || compareDecimals(d, filter.from) >= 0) && (!filter.to || compareDecimals(d, filter.to) <= 0);
      };
    case 'DateRange': {
      // the book's own timestamps share one fixed-width UTC shape, so they compare as text
      const fromText = filter.fromUs !== undefined && filter.fromUs >= 0 ? isoFromMicros(filter.fromUs) : undefined;
      const toText = filter.toUs !== undefined && filter.toUs >= 0 ? isoFromMicros(filter.toUs) : undefined;
      const canonical = (cell: string) => cell.length === 27 && cell[10] === 'T' && cell[26] === 'Z';
      return (cell) => {
        if (
          typeof cell === 'string' &&
          canonical(cell) &&
          (filter.fromUs === undefined || fromText) &&
          (filter.toUs === undefined || toText)
        ) {
          return (fromText === undefined || cell >= fromText) && (toText === undefined || cell <= toText);
        }
        const us = typeof cell === 'string' ? parseIsoToMicros(cell) : undefined;
        if (us === undefined) return false;
        return (filter.fromUs === undefined || us >= filter.fromUs) && (filter.toUs === undefined || us <= filter.toUs);
      };
    }
  }
}

/** A cell prepared for sorting: decimals compare numerically, everything else as text. */
interface SortKey {
  text: string;
  dec: Decimal | undefined;
}

function sortKey(cell: Cell): SortKey {
  const text = cellText(cell);
  return { text, dec: tryParseDecimal(text) };
}

/** Total order of sort keys: decimals first (numerically), then text. */
function compareKeys(a: SortKey, b: SortKey): number {
  if (a.dec && b.dec) return compareDecimals(a.dec, b.dec);
  if (a.dec) return -1;
  if (b.dec) return 1;
  return a.text < b.text ? -1 : a.text > b.text ? 1 : 0;
}

/** Stable sort of records by one column (ties keep their incoming order). */
export function sortRecords<T>(records: readonly T[], read: (record: T) => Cell, descending: boolean): T[] {
  const keyed = records.map((record, i) => ({ record, i, key: sortKey(read(record)) }));
  keyed.sort((x, y) => {
    const c = compareKeys(x.key, y.key);
    return c !== 0 ? (descending ? -c : c) : x.i - y.i;
  });
  return keyed.map((k) => k.record);
}

/** Records plus the means to read their cells; `index` gives the positions holding a value in a column. */
export interface ReportTable<T> {
  records: readonly T[];
  cell(record: T, column: string): Cell;
  index?(column: string): ReadonlyMap<string, readonly number[]> | undefined;
  /** every record sorted by a column (cached by stable tables) */
  sorted?(column: string, descending: boolean): readonly T[];
}

/** Filters (using an index for a plain Exact filter when one exists), sorts stably and pages a table. */
export function selectPage<T>(table: ReportTable<T>, query: ReportQuery, output: readonly string[], pagingKey: PagingKey): ReportPage {
  let positions: number[] | undefined;
  const remaining: ReportFilter[] = [];
  for (const f of query.filters) {
    const idx = positions === undefined && f.kind === 'Exact' && !f.exclude ? table.index?.(f.column) : undefined;
    if (idx && f.kind === 'Exact') {
      const hits = new Set<number>();
      for (const v of f.values) for (const pos of idx.get(v) ?? []) hits.add(pos);
      positions = [...hits].sort((a, b) => a - b);
    } else remaining.push(f);
  }
  const sort = query.sort;
  const presorted = sort && !positions && table.sorted ? table.sorted(sort.column, sort.descending) : undefined;
  // A date range on the column the rows are sorted by is a range of positions, found by bisection (as a database's index would).
  const ranged = presorted && sort ? rangeOfSorted(presorted, remaining, sort, (record) => table.cell(record, sort.column)) : undefined;
  const left = ranged ? remaining.filter((f) => f !== ranged.filter) : remaining;
  const predicates = left.map((f) => ({ column: f.column, test: filterPredicate(f) }));
  const candidates: readonly T[] = positions ? positions.map((pos) => table.records[pos] as T) : (presorted ?? table.records);
  const [lo, hi] = ranged ? [ranged.lo, ranged.hi] : [0, candidates.length];
  // with nothing left to test, the candidates are the matches: no per-page copy of a whole table
  const matches =
    predicates.length === 0
      ? undefined
      : candidates.slice(lo, hi).filter((record) => predicates.every((p) => p.test(table.cell(record, p.column))));
  const ordered = matches && sort && !presorted ? sortRecords(matches, (r) => table.cell(r, sort.column), sort.descending) : matches;
  const start = (query.page - 1) * query.perPage;
  const total = ordered ? ordered.length : hi - lo;
  const window = ordered
    ? ordered.slice(start, start + query.perPage)
    : candidates.slice(lo + start, Math.min(hi, lo + start + query.perPage));
  const data = window.map((record) => {
    const row: Record<string, Cell> = {};
    for (const column of output) row[column] = table.cell(record, column);
    return row;
  });
  const paging =
    pagingKey === 'perPage' ? { page: query.page, perPage: query.perPage, total } : { page: query.page, per_page: query.perPage, total };
  return { filters: query.echo.filters, sort: query.echo.sort, paging, data };
}

/**
 * The positions `[lo, hi)` of `sorted` (sorted by `sort`) a `DateRange` filter on that same column keeps,
 * by bisection: each bound alone is monotone along the sorted rows. Undefined when no such filter applies.
 */
function rangeOfSorted<T>(
  sorted: readonly T[],
  filters: readonly ReportFilter[],
  sort: { column: string; descending: boolean },
  cell: (record: T) => Cell,
): { lo: number; hi: number; filter: ReportFilter } | undefined {
  const filter = filters.find((f) => f.kind === 'DateRange' && f.column.toLowerCase() === sort.column.toLowerCase());
  if (filter?.kind !== 'DateRange') return undefined;
  // Bisection needs every row to hold a time (a row without one would break the bounds' monotony).
  const timed = (record: T | undefined) => record !== undefined && typeof cell(record) === 'string' && cell(record) !== '';
  if (sorted.length > 0 && !(timed(sorted[0]) && timed(sorted[sorted.length - 1]))) return undefined;
  const from = filterPredicate({ ...filter, toUs: undefined });
  const to = filterPredicate({ ...filter, fromUs: undefined });
  // The first position from which `holds` is true, for a `holds` false then true along `sorted`.
  const firstTrue = (holds: (record: T) => boolean) => {
    let [a, b] = [0, sorted.length];
    while (a < b) {
      const mid = (a + b) >>> 1;
      if (holds(sorted[mid] as T)) b = mid;
      else a = mid + 1;
    }
    return a;
  };
  // Ascending: rows before `from` come first, rows after `to` last; descending, the other way round.
  const [first, last] = sort.descending ? [to, from] : [from, to];
  const lo = firstTrue((r) => first(cell(r)));
  const hi = firstTrue((r) => !last(cell(r)));
  return { lo, hi: Math.max(lo, hi), filter };
}

/** Builds (once per records array and column) a map value → positions, for Exact-filter lookups. */
export function buildIndex<T>(records: readonly T[], read: (record: T) => Cell): Map<string, number[]> {
  const index = new Map<string, number[]>();
  extendIndex(index, records, 0, read);
  return index;
}

/** Adds the records from position `from` on to an index `buildIndex` made (rows appended since keep positions ascending). */
export function extendIndex<T>(index: Map<string, number[]>, records: readonly T[], from: number, read: (record: T) => Cell): void {
  for (let pos = from; pos < records.length; pos++) {
    const cell = read(records[pos] as T);
    const values = typeof cell === 'string' ? [cell] : typeof cell === 'boolean' ? [String(cell)] : cell;
    for (const v of values) {
      const list = index.get(v);
      if (list) list.push(pos);
      else index.set(v, [pos]);
    }
  }
}
