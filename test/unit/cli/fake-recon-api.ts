import type {
  DiscrepancyAnswer,
  DiscrepancyDetail,
  DiscrepancyPage,
  HistoryVerificationPage,
  RunPage,
  RunState,
  RunSummaryAnswer,
} from '../../../lib/api/schemas';
import type { DiscrepancyAction, DiscrepancyQuery, ReconApi, RunListQuery, RunRequest } from '../../../scripts/cli/api-client';
import { ApiError } from '../../../scripts/cli/errors';

/** A discrepancy as the API lists it, with figures that only survive as text. */
export function discrepancy(overrides: Partial<DiscrepancyAnswer> = {}): DiscrepancyAnswer {
  const check = overrides.check ?? 'cross-source';
  const userId = overrides.userId ?? 'u1';
  const asset = overrides.asset ?? 'eth';
  return {
    id: `${check}:${userId}:${asset}`,
    check,
    userId,
    asset,
    field: 'available',
    expected: '12345678901234567.123456789012345678',
    actual: '12345678901234567.123456789012345677',
    difference: '-0.000000000000000001',
    evidence: {
      'backoffice.available': '12345678901234567.123456789012345678',
      'reporting.available': '12345678901234567.123456789012345677',
    },
    severity: 'high',
    runId: 'run-2',
    detectedAt: '2026-11-20T10:00:00.000Z',
    status: 'open',
    firstSeenAt: '2026-11-19T10:00:00.000Z',
    lastSeenAt: '2026-11-20T10:00:00.000Z',
    firstRunId: 'run-1',
    lastRunId: 'run-2',
    runsSeen: 2,
    consecutiveRuns: 2,
    largestDifference: '0.000000000000000001',
    alerted: true,
    version: 3,
    ...overrides,
  };
}

/** A discrepancy as a run summary lists it. */
export function discrepancyRef(overrides: Partial<RunSummaryAnswer['discrepancies']['items'][number]> = {}) {
  return {
    id: 'cross-source:u1:eth',
    check: 'cross-source',
    userId: 'u1',
    asset: 'eth',
    field: 'available',
    expected: '1.5',
    actual: '1.499999999999999999',
    difference: '-0.000000000000000001',
    severity: 'low' as const,
    ...overrides,
  };
}

/** A finished run's summary. */
export function summary(overrides: Partial<RunSummaryAnswer> = {}): RunSummaryAnswer {
  return {
    runId: 'run-9',
    trigger: { type: 'manual', by: 'analyst@localhost' },
    asOf: '2026-11-22T00:00:00.000Z',
    startedAt: '2026-11-22T00:00:01.000Z',
    finishedAt: '2026-11-22T00:00:21.500Z',
    status: 'complete',
    users: 60,
    positions: 240,
    checks: {
      'amount-split': { match: 237, mismatch: 3, 'in-flight': 0, unknown: 0 },
      'cross-source': { match: 236, mismatch: 2, 'in-flight': 2, unknown: 0 },
    },
    sources: {
      backoffice: { status: 'ok', failures: 0 },
      multimarkets: { status: 'degraded', failures: 2, firstError: 'multimarkets GET /balance: timeout' },
    },
    discrepancies: {
      total: 1,
      opened: 1,
      resolved: 0,
      escalated: 0,
      items: [discrepancyRef()],
      truncated: false,
    },
    ...overrides,
  };
}

/**
 * The HTTP API in memory: runs follow a script of states (the first answers `POST /runs`, the
 * next ones each `GET /runs/{id}`, the last repeats), discrepancies are paged with index cursors,
 * and every call is recorded.
 */
export class FakeReconApi implements ReconApi {
  readonly calls: { method: keyof ReconApi; args: unknown[] }[] = [];
  /** Thrown instead of answering, once each, by the `getRun` calls at these positions (0-based). */
  readonly getRunFailures = new Map<number, Error>();
  private getRunCount = 0;
  /** The pages `verifyHistory` answers: the first without a cursor, page `n` for cursor `"n"`. */
  verifyPages: HistoryVerificationPage[] = [{ checked: 0, broken: [] }];

  constructor(
    private readonly runScript: RunState[] = [summary()],
    readonly discrepancies: DiscrepancyAnswer[] = [],
    private readonly history: DiscrepancyDetail['history'] = [],
  ) {}

  async startRun(request: RunRequest, options?: { timeoutMs?: number }): Promise<RunState> {
    this.calls.push({ method: 'startRun', args: [request, options] });
    return this.state(0);
  }

  async getRun(runId: string): Promise<RunState> {
    this.calls.push({ method: 'getRun', args: [runId] });
    const failure = this.getRunFailures.get(this.getRunCount);
    this.getRunCount++;
    if (failure) throw failure;
    return this.state(this.getRunCount);
  }

  /** The runs `GET /runs` pages through, newest first, with index cursors like the discrepancies'. */
  runs: RunState[] = [];

  async listRuns(query: RunListQuery): Promise<RunPage> {
    this.calls.push({ method: 'listRuns', args: [query] });
    return pageOf(this.runs, query);
  }

  async listDiscrepancies(query: DiscrepancyQuery): Promise<DiscrepancyPage> {
    this.calls.push({ method: 'listDiscrepancies', args: [query] });
    const matching = this.discrepancies.filter(
      (item) =>
        (query.status === undefined || item.status === query.status) &&
        (query.severity === undefined || item.severity === query.severity) &&
        (query.check === undefined || item.check === query.check) &&
        (query.asset === undefined || item.asset === query.asset) &&
        (query.user === undefined || item.userId === query.user),
    );
    return pageOf(matching, query);
  }

  async getDiscrepancy(id: string): Promise<DiscrepancyDetail> {
    this.calls.push({ method: 'getDiscrepancy', args: [id] });
    return { discrepancy: this.find(id), history: this.history };
  }

  async actOnDiscrepancy(action: DiscrepancyAction, id: string, note: string): Promise<DiscrepancyAnswer> {
    this.calls.push({ method: 'actOnDiscrepancy', args: [action, id, note] });
    const current = this.find(id);
    const at = '2026-11-22T12:00:00.000Z';
    const by = 'analyst@localhost';
    return action === 'acknowledge'
      ? { ...current, status: 'acknowledged', acknowledgedBy: by, acknowledgedAt: at, acknowledgedNote: note, version: current.version + 1 }
      : { ...current, status: 'resolved', resolvedBy: by, resolvedAt: at, resolvedNote: note, version: current.version + 1 };
  }

  async verifyHistory(page: { limit?: number; cursor?: string }): Promise<HistoryVerificationPage> {
    this.calls.push({ method: 'verifyHistory', args: [page] });
    const answer = this.verifyPages[page.cursor === undefined ? 0 : Number(page.cursor)];
    if (!answer) throw new Error(`the fake has no history page ${page.cursor}`);
    return answer;
  }

  private state(index: number): RunState {
    const state = this.runScript[Math.min(index, this.runScript.length - 1)];
    if (!state) throw new Error('the fake has no run script');
    return state;
  }

  private find(id: string): DiscrepancyAnswer {
    const found = this.discrepancies.find((item) => item.id === id);
    if (!found) throw new ApiError(`GET /discrepancies/${id}`, 404, [`no discrepancy with id ${id}`], { message: 'not found' });
    return found;
  }
}

/** One page of `items` as the fake API pages them: `limit` (25) from the index the cursor `page-<index>` names. */
function pageOf<T>(items: T[], query: { limit?: number; cursor?: string }): { items: T[]; cursor?: string } {
  const start = query.cursor === undefined ? 0 : Number(query.cursor.replace('page-', ''));
  const end = start + (query.limit ?? 25);
  return { items: items.slice(start, end), ...(end < items.length && { cursor: `page-${end}` }) };
}
