import type { SourceName } from './source-error';

/** Unknown fields seen in one endpoint's answers. */
export interface DriftReport {
  source: SourceName;
  endpoint: string;
  fields: string[];
  rows: number;
}

/**
 * Collects fields an upstream sent that its schema does not know. zod drops unknown keys
 * silently; counting them is how a renamed or added field gets noticed before it matters.
 */
export class DriftLog {
  private readonly seen = new Map<string, { source: SourceName; endpoint: string; fields: Set<string>; rows: number }>();

  /** Compares each raw object's keys with the known ones and notes the extras. */
  inspect(source: SourceName, endpoint: string, rows: readonly unknown[], known: ReadonlySet<string>): void {
    for (const row of rows) {
      if (row === null || typeof row !== 'object' || Array.isArray(row)) continue;
      const extras = Object.keys(row).filter((key) => !known.has(key));
      if (extras.length === 0) continue;
      const id = `${source} ${endpoint}`;
      const entry = this.seen.get(id) ?? { source, endpoint, fields: new Set<string>(), rows: 0 };
      for (const field of extras) entry.fields.add(field);
      entry.rows++;
      this.seen.set(id, entry);
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
