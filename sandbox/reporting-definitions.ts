import type { Book, BookUser } from './book-types';
import {
  buildIndex,
  type Cell,
  extendIndex,
  filterPredicate,
  type Getter,
  type PagingKey,
  parseReportQuery,
  type ReportPage,
  ReportQueryError,
  type ReportTable,
  selectPage,
  sortRecords,
} from './reporting-engine';
import type { UserFigures } from './reporting-stats';

/** What report getters may read: the book, its users and the lazily computed per-user figures. */
export interface ReportContext {
  readonly book: Book;
  /** The most rows a page answers, whatever `per_page` asks. */
  readonly pageCap: number;
  user(userId: string): BookUser;
  figures(userId: string): UserFigures;
}

/** One Reporting API endpoint: answers a request body with one page, or throws `ReportQueryError`. */
export interface ReportDefinition {
  readonly name: string;
  readonly pagingKey: PagingKey;
  run(ctx: ReportContext, body: unknown): ReportPage;
}

/** Getters of a report's columns by name. */
export type Columns<T> = Readonly<Record<string, Getter<T, ReportContext>>>;

/** A report over a stable array of book records. */
export interface TableSpec<T> {
  name: string;
  pagingKey: PagingKey;
  /** answer columns, in the order the document's example shows them */
  columns: Columns<T>;
  /** filterable/sortable fields the rows do not show (e.g. userId of users/balances) */
  hidden?: Columns<T>;
  /** the request must carry a plain Exact filter on one of these columns */
  requiredOneOf?: readonly string[];
  /**
   * The records are history rows: never changed once written, new ones only appended to the array's end (so a cached
   * index extends over the new rows instead of being rebuilt). Other tables' caches are rebuilt when the book changes.
   */
  appendOnly?: boolean;
  /** columns whose value never changes for a record (its ids): their index outlives a new book revision */
  stableColumns?: readonly string[];
  records(book: Book): readonly T[];
}

/** A cached index of one column, with the book revision and record count it covers. */
interface CachedIndex {
  revision: number;
  length: number;
  index: Map<string, number[]>;
}
/** A cached sort of every record by one column, valid for one book revision. */
interface CachedSort {
  revision: number;
  length: number;
  sorted: readonly unknown[];
}
const indexCache = new WeakMap<object, Map<string, CachedIndex>>();
const sortCache = new WeakMap<object, Map<string, CachedSort>>();

function cacheOf<V>(cache: WeakMap<object, Map<string, V>>, records: object): Map<string, V> {
  let perKey = cache.get(records);
  if (!perKey) {
    perKey = new Map();
    cache.set(records, perKey);
  }
  return perKey;
}

/**
 * A report whose rows are records of the book. Exact filters use an index built lazily per column, sorts a sorted copy
 * built lazily per column and direction; both are cached per records array and kept in step with the book's
 * `revision` (extended over appended rows of an append-only table, kept for a stable column, rebuilt otherwise).
 */
export function defineTable<T>(spec: TableSpec<T>): ReportDefinition {
  const all: Columns<T> = { ...spec.columns, ...spec.hidden };
  const names = Object.keys(all);
  const output = Object.keys(spec.columns);
  return {
    name: spec.name,
    pagingKey: spec.pagingKey,
    run(ctx, body) {
      const query = parseReportQuery(body, names, spec.name, ctx.pageCap);
      if (spec.requiredOneOf) {
        const required = spec.requiredOneOf;
        if (!query.filters.some((f) => f.kind === 'Exact' && !f.exclude && required.includes(f.column))) {
          throw new ReportQueryError(`Report ${spec.name} must be filtered by ${required.join(' or ')} (an Exact filter)`);
        }
      }
      const records = spec.records(ctx.book);
      const revision = ctx.book.revision;
      const cell = (record: T, column: string): Cell => (all[column] as Getter<T, ReportContext>)(record, ctx);
      const table: ReportTable<T> = {
        records,
        cell,
        index(column) {
          const perColumn = cacheOf(indexCache, records);
          let cached = perColumn.get(column);
          if (cached && cached.revision !== revision && spec.appendOnly && cached.length <= records.length) {
            extendIndex(cached.index, records, cached.length, (r) => cell(r, column));
            cached.revision = revision;
            cached.length = records.length;
          } else if (cached && cached.revision !== revision && cached.length === records.length && spec.stableColumns?.includes(column)) {
            cached.revision = revision;
          }
          if (!cached || cached.revision !== revision || cached.length !== records.length) {
            cached = { revision, length: records.length, index: buildIndex(records, (r) => cell(r, column)) };
            perColumn.set(column, cached);
          }
          return cached.index;
        },
        sorted(column, descending) {
          const perKey = cacheOf(sortCache, records);
          const key = `${column}|${descending ? 'desc' : 'asc'}`;
          let cached = perKey.get(key);
          if (!cached || cached.revision !== revision || cached.length !== records.length) {
            cached = { revision, length: records.length, sorted: sortRecords(records, (r) => cell(r, column), descending) };
            perKey.set(key, cached);
          }
          return cached.sorted as readonly T[];
        },
      };
      return selectPage(table, query, output, spec.pagingKey);
    },
  };
}

/** A report computed from the users its scope filters select. */
export interface AggregateSpec {
  name: string;
  pagingKey: PagingKey;
  columns: readonly string[];
  /** user-level fields: filters on them choose which users are aggregated */
  scope: Columns<BookUser>;
  rows(ctx: ReportContext, users: readonly BookUser[]): Record<string, Cell>[];
}

/** A report whose rows aggregate over the users its scope filters select. */
export function defineAggregate(spec: AggregateSpec): ReportDefinition {
  const scopeNames = Object.keys(spec.scope);
  return {
    name: spec.name,
    pagingKey: spec.pagingKey,
    run(ctx, body) {
      const query = parseReportQuery(body, [...spec.columns, ...scopeNames], spec.name, ctx.pageCap);
      const scope = query.filters
        .filter((f) => scopeNames.includes(f.column))
        .map((f) => ({ read: spec.scope[f.column] as Getter<BookUser, ReportContext>, test: filterPredicate(f) }));
      const users = scope.length === 0 ? ctx.book.users : ctx.book.users.filter((u) => scope.every((s) => s.test(s.read(u, ctx))));
      const rows = spec.rows(ctx, users);
      const rowTable: ReportTable<Record<string, Cell>> = { records: rows, cell: (r, column) => r[column] ?? '' };
      return selectPage(
        rowTable,
        { ...query, filters: query.filters.filter((f) => !scopeNames.includes(f.column)) },
        spec.columns,
        spec.pagingKey,
      );
    },
  };
}
