import type { BreakTotals } from '../domain/break-totals';
import type { DiscrepancyFilter } from './compliance';

/** Adds up the breaks a filter selects (`GET /discrepancies/totals`): count and root-asset value per severity and per check. */
export interface BreakTotalsReader {
  /** The totals of what `filter` selects; no status in it means open and acknowledged. */
  totals(filter: DiscrepancyFilter): Promise<BreakTotals>;
}
