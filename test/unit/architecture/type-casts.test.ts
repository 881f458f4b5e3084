import { describe, expect, it } from 'vitest';
import { typeCasts } from '../../../scripts/quality/type-casts';

/**
 * The type assertions of lib/store and lib/sources when the rule came in (`file: as Type`, once per
 * cast): DynamoDB items and upstream answers are to be parsed with a schema instead. Delete a line
 * when its cast goes; the test fails while a listed cast is gone already, and on any new one.
 */
const CASTS_TODAY = [
  'lib/store/batch.ts: as Record<string, unknown>',
  'lib/store/dynamodb-discrepancy-store.ts: as string',
  'lib/store/dynamodb-discrepancy-store.ts: as string',
  'lib/store/dynamodb-discrepancy-store.ts: as string',
  'lib/store/dynamodb-discrepancy-store.ts: as LifecycleEvent',
  'lib/store/dynamodb-discrepancy-store.ts: as RunSummary | undefined',
  'lib/store/dynamodb-discrepancy-store.ts: as Error',
  'lib/store/dynamodb-discrepancy-store.ts: as DiscrepancyState',
  'lib/store/dynamodb-discrepancy-store.ts: as unknown',
  'lib/store/dynamodb-discrepancy-store.ts: as unknown',
  'lib/store/dynamodb-discrepancy-store.ts: as { id?: unknown }',
  'lib/store/dynamodb-discrepancy-store.ts: as Record<string, unknown>',
  'lib/store/dynamodb-history-store.ts: as string',
  'lib/store/dynamodb-history-store.ts: as Uint8Array',
  'lib/store/dynamodb-history-store.ts: as string',
  'lib/store/dynamodb-history-store.ts: as Uint8Array',
  'lib/store/dynamodb-history-store.ts: as HistoryChunk',
  'lib/store/dynamodb-run-state.ts: as RunPlan | undefined',
  'lib/store/dynamodb-run-state.ts: as ShardTally',
  'lib/store/dynamodb-run-state.ts: as string',
  'lib/store/dynamodb-run-state.ts: as Set<number> | undefined',
  'lib/store/dynamodb-venue-log.ts: as Record<string, unknown>',
  'lib/sources/answer-schema.ts: as Record<PropertyKey, unknown>',
  'lib/sources/http/json-client.ts: as NodeJS.ErrnoException',
  'lib/sources/reporting/reporting-client.ts: as (row: ReportRow<E>) => string',
  'lib/sources/reporting/reporting-client.ts: as (row: ReportRow<E>) => string',
  'lib/sources/reporting/reporting-client.ts: as ReportRow<E>[]',
];

const found = [...typeCasts('lib/store'), ...typeCasts('lib/sources')];
const entries = found.map((cast) => `${cast.file}: as ${cast.type}`);

/** The entries of `from` left once each entry of `without` has taken away one equal entry. */
function minus(from: readonly string[], without: readonly string[]): string[] {
  const left = [...from];
  for (const entry of without) {
    const at = left.indexOf(entry);
    if (at >= 0) left.splice(at, 1);
  }
  return left;
}

describe('type casts in lib/store and lib/sources (none but `as const`)', () => {
  it('sees a cast in the syntax tree, and not `as const`', () => {
    expect(entries).toContain('lib/store/batch.ts: as Record<string, unknown>');
    expect(found.every((cast) => cast.type !== 'const')).toBe(true);
  });

  it('has no cast beyond the allow-listed ones', () => {
    const located = found.map((cast) => `${cast.file}:${cast.line} as ${cast.type}`);
    const extra = minus(entries, CASTS_TODAY);
    expect(located.filter((_, at) => extra.includes(entries[at] ?? ''))).toEqual([]);
  });

  it('lists only casts that are still there (delete the ones removed since)', () => {
    expect(minus(CASTS_TODAY, entries)).toEqual([]);
  });
});
