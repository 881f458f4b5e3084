import { describe, expect, it } from 'vitest';
import type { Verdict } from '../../../../lib/domain/verdict';
import type { HistoryChunk } from '../../../../lib/ports/history';
import { MAX_WRITE_BACKLOG, PageWriter } from '../../../../lib/runs/shard/page-writer';
import { TOTALS_PER_CALL } from '../../../../lib/runs/shard/totals-ahead';
import { MemoryHistory } from './shard-book';

/** A page's verdicts, named by the page (the writer passes them through as they are). */
const pageVerdicts = (page: number): Verdict[] => [{ check: 'sanity', outcome: 'match', userId: `p${page}`, asset: 'btc' }];
const chunk: HistoryChunk = { watermark: 0, users: {} };
const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('PageWriter', () => {
  it('settles pages in page order, each after the one before it, however long each takes', async () => {
    const settled: string[] = [];
    const writer = new PageWriter(async (verdicts) => {
      const page = verdicts[0]?.userId ?? '';
      await new Promise((resolve) => setTimeout(resolve, page === 'p1' ? 20 : 0));
      settled.push(page);
    }, undefined);
    for (const page of [1, 2, 3]) await writer.write(pageVerdicts(page));
    await writer.flush();
    expect(settled).toEqual(['p1', 'p2', 'p3']);
  });

  it('lets the reads run ahead of at most MAX_WRITE_BACKLOG pages of writes, then waits for them', async () => {
    let release: () => void = () => undefined;
    const blocked = new Promise<void>((resolve) => {
      release = resolve;
    });
    const writer = new PageWriter(() => blocked, undefined);
    for (let page = 1; page <= MAX_WRITE_BACKLOG; page++) await writer.write(pageVerdicts(page));
    let past = false;
    const over = writer.write(pageVerdicts(MAX_WRITE_BACKLOG + 1)).then(() => {
      past = true;
    });
    await tick();
    expect(past).toBe(false);
    release();
    await over;
    expect(past).toBe(true);
  });

  it('waits at the flush for every write queued, and throws one that failed', async () => {
    let settled = 0;
    const writer = new PageWriter(async () => {
      await tick();
      settled++;
    }, undefined);
    await writer.write(pageVerdicts(1));
    await writer.write(pageVerdicts(2));
    expect(settled).toBe(0);
    await writer.flush();
    expect(settled).toBe(2);
    const failing = new PageWriter(async () => {
      throw new Error('store down');
    }, undefined);
    await failing.write(pageVerdicts(1));
    await expect(failing.flush()).rejects.toThrow('store down');
  });

  it('writes running totals TOTALS_PER_CALL pages at a time, the rest at the flush', async () => {
    const history = new MemoryHistory();
    const writer = new PageWriter(async () => undefined, history);
    for (let page = 1; page <= TOTALS_PER_CALL + 2; page++) await writer.write(pageVerdicts(page), { key: `k${page}`, chunk });
    await writer.write(pageVerdicts(99));
    expect(history.saves.map((keys) => keys.length)).toEqual([TOTALS_PER_CALL]);
    await writer.flush();
    expect(history.saves.map((keys) => keys.length)).toEqual([TOTALS_PER_CALL, 2]);
    await writer.flush();
    expect(history.saves).toHaveLength(2);
  });

  it('stores no totals without a history store (a dry run)', async () => {
    const writer = new PageWriter(async () => undefined, undefined);
    await writer.write(pageVerdicts(1), { key: 'k1', chunk });
    await expect(writer.flush()).resolves.toBeUndefined();
  });
});
