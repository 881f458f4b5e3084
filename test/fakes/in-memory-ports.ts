import type { Discrepancy } from '../../lib/domain/discrepancy';
import type { AlertPublisher, DiscrepancyStore, RecordOutcome, SourceProblem } from '../../lib/runs/ports';
import type { RunSummary } from '../../lib/runs/run-summary';

/** A {@link DiscrepancyStore} in a Map, for use-case tests. */
export class InMemoryStore implements DiscrepancyStore {
  readonly discrepancies = new Map<string, Discrepancy & { runsSeen: number }>();
  readonly runs: RunSummary[] = [];

  async record(discrepancy: Discrepancy): Promise<RecordOutcome> {
    const existing = this.discrepancies.get(discrepancy.id);
    if (existing) {
      this.discrepancies.set(discrepancy.id, { ...discrepancy, runsSeen: existing.runsSeen + 1 });
      return 'seen-again';
    }
    this.discrepancies.set(discrepancy.id, { ...discrepancy, runsSeen: 1 });
    return 'opened';
  }

  async saveRun(summary: RunSummary): Promise<void> {
    this.runs.push(summary);
  }
}

/** An {@link AlertPublisher} that keeps what it was asked to send. */
export class RecordingAlerts implements AlertPublisher {
  readonly opened: Discrepancy[] = [];
  readonly sourceProblems: SourceProblem[] = [];

  async discrepancyOpened(discrepancy: Discrepancy): Promise<void> {
    this.opened.push(discrepancy);
  }

  async sourceUnhealthy(problem: SourceProblem): Promise<void> {
    this.sourceProblems.push(problem);
  }
}
