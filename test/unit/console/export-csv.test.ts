import { describe, expect, it } from 'vitest';
import type { ApiClient } from '../../../console/src/api-client';
import { allBreaks, BREAK_CSV_COLUMNS, breaksCsv } from '../../../console/src/export-csv';
import type { DiscrepancyAnswer } from '../../../lib/api/schemas';
import { parseCsv } from '../../support/csv-reader';
import { sampleDiscrepancyAnswer } from './sample-answers';

describe('breaksCsv', () => {
  it('writes the agreed header, then one row per break with exact decimals untouched', () => {
    const item = sampleDiscrepancyAnswer({
      expected: '10.000000000000000001',
      actual: '10',
      difference: '-0.000000000000000001',
      assignedTo: 'bob',
    });
    const text = breaksCsv([item]);
    expect(text.split('\r\n')[0]).toBe(
      'id,check,userId,asset,field,severity,status,expected,actual,difference,differenceInRoot,firstSeenAt,lastSeenAt,assignedTo',
    );
    const [header = [], row = []] = parseCsv(text);
    const cells = Object.fromEntries(header.map((column, index) => [column, row[index]]));
    expect(cells).toMatchObject({
      expected: '10.000000000000000001',
      actual: '10',
      difference: '-0.000000000000000001',
      assignedTo: 'bob',
    });
    expect(cells.differenceInRoot).toBe('');
  });

  it('quotes by RFC 4180 and never lets a text cell start a formula', () => {
    const text = breaksCsv([sampleDiscrepancyAnswer({ userId: 'a,"b"', assignedTo: '=HYPERLINK("x")' })]);
    const row = parseCsv(text)[1] ?? [];
    expect(row[BREAK_CSV_COLUMNS.indexOf('userId')]).toBe('a,"b"');
    expect(row[BREAK_CSV_COLUMNS.indexOf('assignedTo')]).toBe('\'=HYPERLINK("x")');
  });
});

describe('allBreaks', () => {
  it('follows the cursor through every page of the filter', async () => {
    const pages: Record<string, { items: DiscrepancyAnswer[]; cursor?: string }> = {
      first: { items: [sampleDiscrepancyAnswer({ id: 'a' })], cursor: 'c2' },
      c2: { items: [sampleDiscrepancyAnswer({ id: 'b' })], cursor: 'c3' },
      c3: { items: [sampleDiscrepancyAnswer({ id: 'c' })] },
    };
    const asked: unknown[] = [];
    const api: Pick<ApiClient, 'discrepancies'> = {
      discrepancies: async (filter, cursor, limit) => {
        asked.push({ filter, cursor, limit });
        const page = pages[cursor ?? 'first'];
        if (!page) throw new Error(`no page ${cursor}`);
        return page;
      },
    };
    const items = await allBreaks(api, { severity: 'high' });
    expect(items.map((item) => item.id)).toEqual(['a', 'b', 'c']);
    expect(asked).toEqual([
      { filter: { severity: 'high' }, cursor: undefined, limit: 100 },
      { filter: { severity: 'high' }, cursor: 'c2', limit: 100 },
      { filter: { severity: 'high' }, cursor: 'c3', limit: 100 },
    ]);
  });
});
