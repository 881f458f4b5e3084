import type { RunPlan, ShardTally } from '../../../../lib/ports/run-state';
import { emptyShardTally } from '../../../../lib/runs/shard-tally';

/** A planned run of two users and one btc total of 3.5, one shard, nothing late, as the steps of the final phase see it. */
export function planOf(overrides: Partial<RunPlan> = {}): RunPlan {
  return {
    runId: 'r1',
    trigger: { type: 'direct' },
    asOf: '2026-11-22T00:00:00.000Z',
    startedAt: '2026-11-22T00:00:00.000Z',
    dryRun: false,
    rebuild: false,
    pageSize: 100,
    askedPageSize: 100,
    totalUsers: 2,
    assets: [{ assetId: 'btc', scale: 8, total: '3.5' }],
    shards: [{ firstPage: 1 }],
    late: { users: 0, sums: {} },
    ...overrides,
  };
}

/** A shard's tally that read both users of {@link planOf}: 1.5 and 2 btc, and a bot's 7 btc outside the totals. */
export function tallyOf(overrides: Partial<ShardTally> = {}): ShardTally {
  return {
    ...emptyShardTally(1),
    done: true,
    users: 2,
    positions: 2,
    listed: 2,
    assetSums: { btc: { users: 2, total: '3.5' } },
    outsideSums: { btc: { users: 1, total: '7' } },
    ...overrides,
  };
}
