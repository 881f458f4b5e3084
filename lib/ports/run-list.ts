import type { Page } from './page';
import type { RunSummary } from './run-summary';

/** Lists the runs newest first, a page at a time (`GET /runs`): queued, running and finished alike. */
export interface RunList {
  listRuns(page: { limit: number; cursor?: string }): Promise<Page<RunSummary>>;
}
