import type { Verdict } from '../../domain/verdict';
import type { HistoryChunk, HistoryStore } from '../../ports/history';
import { TOTALS_PER_CALL } from './totals-ahead';

/** Pages whose lifecycle writes may wait behind the reads before the reads wait for them. */
export const MAX_WRITE_BACKLOG = 8;

/** A write awaited later (at the flush): its failure must not be reported as unhandled meanwhile. */
function keepForFlush(write: Promise<void>): Promise<void> {
  write.catch(() => undefined);
  return write;
}

/**
 * The pages' writes, behind the reads: lifecycle effects in page order (`settle`, one page after the
 * other) and running totals `TOTALS_PER_CALL` pages at a time, while the next pages are read and
 * checked. At most `MAX_WRITE_BACKLOG` pages' effects wait; `flush` waits for every write, so a
 * checkpoint taken after it never claims a page whose writes could be lost.
 */
export class PageWriter {
  private effects: Promise<void> = Promise.resolve();
  private backlog = 0;
  private readonly writes: Promise<void>[] = [];
  private totals = new Map<string, HistoryChunk>();

  /** `history` undefined: no running totals are stored (a dry run, a run scoped to users, or no store). */
  constructor(
    private readonly settle: (verdicts: Verdict[]) => Promise<void>,
    private readonly history: HistoryStore | undefined,
  ) {}

  /** Queues a page's writes: its verdicts' effects after the pages before it, its new running totals (if any) under `key`. */
  async write(verdicts: Verdict[], totals?: { key: string; chunk: HistoryChunk }): Promise<void> {
    this.backlog++;
    this.effects = this.effects.then(async () => {
      await this.settle(verdicts);
      this.backlog--;
    });
    this.effects.catch(() => undefined); // a failed write surfaces at the next flush, not as an unhandled rejection
    if (this.backlog > MAX_WRITE_BACKLOG) await this.effects;
    if (!totals || !this.history) return;
    this.totals.set(totals.key, totals.chunk);
    if (this.totals.size >= TOTALS_PER_CALL) this.writeTotals();
  }

  /** Waits for every write queued so far; throws the first that failed. */
  async flush(): Promise<void> {
    this.writeTotals();
    await this.effects;
    await Promise.all(this.writes.splice(0));
  }

  private writeTotals(): void {
    if (this.totals.size === 0 || !this.history) return;
    this.writes.push(keepForFlush(this.history.save(this.totals)));
    this.totals = new Map();
  }
}
