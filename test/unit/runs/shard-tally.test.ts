import { describe, expect, it } from 'vitest';
import { Amount } from '../../../lib/domain/money';
import { emptyShardTally, mergeTallies, RunningAssetSums } from '../../../lib/runs/shard-tally';

describe('mergeTallies', () => {
  it("adds the shards' holdings outside the reported totals per asset, exactly, as it adds the counted sums", () => {
    const first = emptyShardTally(1);
    const second = emptyShardTally(3);
    const outside = new RunningAssetSums({});
    outside.add('btc', Amount.parse('7'));
    outside.add('eth', Amount.parse('0.000000000000000001'));
    first.outsideSums = outside.toJSON();
    // resumed from a checkpoint, then one more holder
    const resumed = new RunningAssetSums({ btc: { total: '0.25', users: 1 } });
    resumed.add('btc', Amount.parse('9007199254740993.1'));
    second.outsideSums = resumed.toJSON();
    second.assetSums = { btc: { total: '1.5', users: 2 } };
    const merged = mergeTallies([first, second]);
    expect(merged.outsideSums).toEqual({
      btc: { total: '9007199254741000.35', users: 3 },
      eth: { total: '0.000000000000000001', users: 1 },
    });
    expect(merged.assetSums).toEqual({ btc: { total: '1.5', users: 2 } });
  });

  it('merges a tally checkpointed before holdings outside the totals were kept', () => {
    const old = emptyShardTally(1);
    Reflect.deleteProperty(old, 'outsideSums');
    const current = emptyShardTally(2);
    current.outsideSums = { usdt: { total: '10', users: 1 } };
    expect(mergeTallies([old, current]).outsideSums).toEqual({ usdt: { total: '10', users: 1 } });
  });

  it("adds the shards' skipped discrepancies, a tally checkpointed before they were counted as none", () => {
    const old = emptyShardTally(1);
    Reflect.deleteProperty(old.effects, 'skipped');
    const first = emptyShardTally(2);
    first.effects.skipped = 2;
    const second = emptyShardTally(3);
    second.effects.skipped = 1;
    expect(mergeTallies([old, first, second]).effects.skipped).toBe(3);
  });
});
