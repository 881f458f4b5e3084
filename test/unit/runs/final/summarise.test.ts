import { describe, expect, it } from 'vitest';
import { failedSummary, nothingYet, runStatus, summarise } from '../../../../lib/runs/final/summarise';
import { InMemoryRunState } from '../../../../lib/runs/run-state-memory';
import { emptyShardTally } from '../../../../lib/runs/shard-tally';
import { SourceHealthTracker } from '../../../../lib/runs/source-health';
import { planOf, tallyOf } from './fixtures';

const finishedAt = '2026-11-22T00:05:00.000Z';
const clock = { now: () => new Date(finishedAt) };

describe('runStatus', () => {
  it('is failed when the plan failed and nobody was counted', () => expect(runStatus(0, true, true)).toBe('failed'));
  it('is partial when a source failed', () => expect(runStatus(2, false, true)).toBe('partial'));
  it('is partial, not failed, when a plan failure still let users be counted', () => expect(runStatus(2, true, true)).toBe('partial'));
  it('is complete when every source answered', () => expect(runStatus(2, false, false)).toBe('complete'));
});

describe('summarise', () => {
  it("states the run's counts, sources, shards, history and the holdings outside the totals", () => {
    const health = new SourceHealthTracker();
    health.used('reporting');
    const summary = summarise(planOf({ shards: [] }), tallyOf({ historyRows: 4 }), health, { finishedAt, failed: false });
    expect(summary).toMatchObject({
      runId: 'r1',
      finishedAt,
      status: 'complete',
      users: 2,
      positions: 2,
      sources: { reporting: { status: 'ok' } },
      shards: 1,
      history: { rows: 4, incrementalUsers: 0, rebuild: false },
      outsideTotals: { btc: { users: 1, amount: '7' } },
    });
    expect(summary).not.toHaveProperty('venues');
    expect(summary).not.toHaveProperty('scope');
  });

  it('carries the scope and the venues read, and is partial when a source failed', () => {
    const health = new SourceHealthTracker();
    health.used('backoffice');
    health.failed('backoffice', new Error('HTTP 503'));
    const venues = { multimarkets: { accounts: 3, checked: 3, overdue: 0, oldestCheckedAt: finishedAt, window: 86_400 } };
    const summary = summarise(planOf({ scope: { assets: ['btc'] } }), tallyOf(), health, { finishedAt, failed: false, venues });
    expect(summary).toMatchObject({ status: 'partial', scope: { assets: ['btc'] }, venues });
  });

  it('is failed when the plan failed and nobody was counted', () => {
    const summary = summarise(planOf(), emptyShardTally(0), new SourceHealthTracker(), { finishedAt, failed: true });
    expect(summary.status).toBe('failed');
  });
});

describe('nothingYet', () => {
  it('counts nothing and ends when it started', () => {
    const summary = nothingYet(planOf(), 'skipped', 'busy');
    expect(summary).toMatchObject({
      status: 'skipped',
      reason: 'busy',
      users: 0,
      positions: 0,
      finishedAt: planOf().startedAt,
      sources: {},
    });
  });
});

describe('failedSummary', () => {
  it("counts what the shards' and the final phase's checkpoints hold", async () => {
    const plan = planOf({ shards: [{ firstPage: 1 }, { firstPage: 2 }] });
    const runState = new InMemoryRunState();
    await runState.saveTally('r1', 0, tallyOf({ users: 2, positions: 3 }));
    await runState.saveTally('r1', 2, tallyOf({ users: 0, positions: 0, discrepancies: 1 }));
    const summary = await failedSummary(plan, runState, clock, 'failed: TypeError');
    expect(summary).toMatchObject({ status: 'failed', reason: 'failed: TypeError', users: 2, positions: 3, shards: 2, finishedAt });
  });

  it('counts nothing of a checkpoint that cannot be read', async () => {
    const runState = new InMemoryRunState();
    runState.loadTally = () => Promise.reject(new Error('throttled'));
    expect(await failedSummary(planOf(), runState, clock, 'failed: Error')).toMatchObject({ users: 0, shards: 1 });
  });
});
