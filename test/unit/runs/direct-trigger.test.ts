import { describe, expect, it } from 'vitest';
import type { QueuedRunLookup } from '../../../lib/ports/run-queue';
import type { RunSummary } from '../../../lib/ports/run-summary';
import { directTrigger } from '../../../lib/runs/direct-trigger';

/** The runs table as `POST /runs` leaves it: one run queued for alice under her verified `sub`. */
const runs = (stored: Record<string, Pick<RunSummary, 'trigger' | 'status'>>): QueuedRunLookup => ({
  getRun: async (runId) => stored[runId],
});
const table = runs({
  'r-alice': { trigger: { type: 'manual', by: 'alice@example.com' }, status: 'queued' },
  'r-retried': { trigger: { type: 'manual', by: 'alice@example.com' }, status: 'running' },
  'r-done': { trigger: { type: 'manual', by: 'alice@example.com' }, status: 'complete' },
  'r-direct': { trigger: { type: 'direct', by: 'invoke' }, status: 'queued' },
});

describe('directTrigger', () => {
  it('records a plain invoke as direct, by invoke', async () => {
    expect(await directTrigger({}, table)).toEqual({ type: 'direct', by: 'invoke' });
  });

  it('keeps a requestedBy as claimedBy, unverified', async () => {
    expect(await directTrigger({ requestedBy: 'sls invoke' }, table)).toEqual({ type: 'direct', by: 'invoke', claimedBy: 'sls invoke' });
  });

  it('records a run POST /runs queued as manual by the verified caller the runs table holds', async () => {
    expect(await directTrigger({ runId: 'r-alice', manualBy: 'alice@example.com' }, table)).toEqual({
      type: 'manual',
      by: 'alice@example.com',
    });
    expect(await directTrigger({ runId: 'r-retried', manualBy: 'alice@example.com' }, table)).toMatchObject({ type: 'manual' });
  });

  it('records a manualBy nothing stands behind as direct, the name as claimedBy', async () => {
    const cases = [
      { manualBy: 'alice@example.com' },
      { runId: 'r-unknown', manualBy: 'alice@example.com' },
      { runId: 'r-alice', manualBy: 'mallory@example.com' },
      { runId: 'r-done', manualBy: 'alice@example.com' },
      { runId: 'r-direct', manualBy: 'invoke' },
    ];
    for (const claims of cases) {
      expect(await directTrigger(claims, table), JSON.stringify(claims)).toEqual({
        type: 'direct',
        by: 'invoke',
        claimedBy: claims.manualBy,
      });
    }
  });
});
