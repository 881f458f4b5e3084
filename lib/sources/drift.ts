import type { DriftReport, SourceName } from '../ports/upstream';
import type { KnownLevel } from './known-fields';

/**
 * Collects fields an upstream sent that its schema does not know. zod drops unknown keys
 * silently; counting them is how a renamed or added field gets noticed before it matters.
 */
export class DriftLog {
  private readonly seen = new Map<string, { source: SourceName; endpoint: string; fields: Set<string>; rows: number }>();

  /** Compares each raw object's keys with the known ones and notes the extras. */
  inspect(source: SourceName, endpoint: string, rows: readonly unknown[], known: ReadonlySet<string>): void {
    for (const row of rows) {
      if (!isRecord(row)) continue;
      const extras = Object.keys(row).filter((key) => !known.has(key));
      if (extras.length === 0) continue;
      const id = `${source} ${endpoint}`;
      const entry = this.seen.get(id) ?? { source, endpoint, fields: new Set<string>(), rows: 0 };
      for (const field of extras) entry.fields.add(field);
      entry.rows++;
      this.seen.set(id, entry);
    }
  }

  /**
   * Inspects a whole answer level by level, as its schema's {@link KnownLevel} describes it: the
   * envelope, then each nested object or array the schema reads (`paging`, `data[]`,
   * `data[].balances[]`…). Extras are noted under `endpoint` for the top level and under
   * `endpoint path` below it (`balances data[].balances[]`). Works on any body, valid or not, so a
   * renamed field is reported even when the answer then fails its schema.
   */
  inspectAnswer(source: SourceName, endpoint: string, body: unknown, known: KnownLevel): void {
    this.inspectLevel(source, endpoint, known.list ? '[]' : '', objectsIn([body]), known);
  }

  private inspectLevel(source: SourceName, endpoint: string, path: string, objects: unknown[], level: KnownLevel): void {
    this.inspect(source, path === '' ? endpoint : `${endpoint} ${path}`, objects, level.fields);
    for (const [field, below] of level.nested) {
      const values: unknown[] = [];
      for (const object of objects) if (isRecord(object) && object[field] !== undefined) values.push(object[field]);
      const inner = objectsIn(values);
      const innerPath = `${path === '' ? '' : `${path}.`}${field}${below.list ? '[]' : ''}`;
      if (inner.length > 0) this.inspectLevel(source, endpoint, innerPath, inner, below);
    }
  }

  /** What was noted since the last drain, and forget it (called once per run). */
  drain(): DriftReport[] {
    const reports = [...this.seen.values()].map(({ source, endpoint, fields, rows }) => ({
      source,
      endpoint,
      fields: [...fields].sort(),
      rows,
    }));
    this.seen.clear();
    return reports;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** The objects among `values`, an array's elements taken one by one. */
function objectsIn(values: readonly unknown[]): unknown[] {
  const objects: unknown[] = [];
  for (const value of values) {
    if (Array.isArray(value)) {
      for (const element of value) if (isRecord(element)) objects.push(element);
    } else if (isRecord(value)) objects.push(value);
  }
  return objects;
}
