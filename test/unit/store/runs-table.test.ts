import { describe, expect, it } from 'vitest';
import { observe } from '../../../lib/domain/lifecycle';
import { emptyShardTally, summaryCounts } from '../../../lib/runs/shard-tally';
import { parseDiscrepancy, parseHistoryRow, statusOrder } from '../../../lib/store/discrepancy-items';
import {
  fenceCheck,
  LOCK_KEY,
  parseLockHolder,
  parseRun,
  parseSourceState,
  parseTally,
  planKey,
  runKey,
  shardKey,
  sourceKey,
  venueCheckKey,
} from '../../../lib/store/runs-table';
import { MalformedItemError } from '../../../lib/store/stored-item';
import { crossSourceDiscrepancy } from '../../support/sample-discrepancy';

/** The error a parse throws, for its fields. */
function refusal(parse: () => unknown): MalformedItemError {
  try {
    parse();
  } catch (error) {
    if (error instanceof MalformedItemError) return error;
    throw error;
  }
  throw new Error('the item was accepted');
}

describe('the runs table keys', () => {
  it('spells every kind of item as the items already stored are keyed', () => {
    expect([runKey('r-1'), LOCK_KEY, planKey('r-1'), shardKey('r-1', 3), sourceKey('indx'), venueCheckKey('multimarkets', 7)]).toEqual([
      { runId: 'r-1' },
      { runId: 'lock#runs' },
      { runId: 'plan#r-1' },
      { runId: 'shard#r-1#3' },
      { runId: 'source#indx' },
      { runId: 'venuecheck#multimarkets#7' },
    ]);
  });

  it('fences a write by a check that the run holds the lock, unexpired at its clock', () => {
    const check = fenceCheck({ table: 'runs', runId: 'r-1', now: () => new Date(5000) });
    expect(check).toEqual({
      ConditionCheck: {
        TableName: 'runs',
        Key: { runId: 'lock#runs' },
        ConditionExpression: 'holder = :holder AND expiresAt >= :now',
        ExpressionAttributeValues: { ':holder': 'r-1', ':now': 5000 },
      },
    });
  });
});

describe('parsing the runs table items', () => {
  it('refuses a lock without a holder, naming the item and the field', () => {
    const error = refusal(() => parseLockHolder({ runId: 'lock#runs', expiresAt: 1 }));
    expect(error.key).toBe('lock#runs');
    expect(error.message).toMatch(/^malformed run lock item lock#runs: holder: /);
  });

  it('reads a checkpoint back as it was saved, and refuses one with a field of the wrong type or not JSON', () => {
    const tally = { ...emptyShardTally(4), users: 12, cursor: null };
    expect(parseTally({ runId: 'shard#r-1#0', tally: JSON.stringify(tally) }, 'r-1', 0)).toEqual(tally);
    const wrong = refusal(() => parseTally({ tally: JSON.stringify({ ...tally, users: '12' }) }, 'r-1', 0));
    expect(wrong.message).toMatch(/^malformed shard tally item shard#r-1#0: users: /);
    expect(refusal(() => parseTally({ tally: '{"users":' }, 'r-1', 2)).message).toBe(
      'malformed shard tally item shard#r-1#2: tally: not JSON',
    );
  });

  it('reads a queued run as it was stored, and refuses a record that is neither a queued run nor a summary', () => {
    const queued = { runId: 'r-9', trigger: { type: 'manual', by: 'ana' }, asOf: 'a', startedAt: 's', status: 'queued' };
    expect(parseRun(queued, 'r-9')).toEqual(queued);
    expect(refusal(() => parseRun({ ...queued, status: 'complete' }, 'r-9')).key).toBe('r-9');
  });

  it('reads a summary stored before a check existed with that check never run, not as a malformed item', () => {
    const tally = emptyShardTally(1);
    const { 'venue-indx': _added, ...olderChecks } = tally.checks;
    const stored = {
      runId: 'r-old',
      trigger: { type: 'schedule' },
      asOf: 'a',
      startedAt: 's',
      finishedAt: 'f',
      status: 'complete',
      ...summaryCounts(tally),
      checks: { ...olderChecks, 'amount-split': { match: 3, mismatch: 1, 'in-flight': 0, unknown: 0 } },
      sources: {},
    };
    const read = parseRun(stored, 'r-old');
    expect(read.checks['venue-indx']).toEqual({ match: 0, mismatch: 0, 'in-flight': 0, unknown: 0 });
    expect(read.checks['amount-split']).toEqual({ match: 3, mismatch: 1, 'in-flight': 0, unknown: 0 });
  });

  it('reads a source state stored before endpoints were kept without any, its drift empty', () => {
    expect(parseSourceState({ runId: 'source#indx', status: 'failing', since: 't' }, 'indx')).toEqual({
      status: 'failing',
      drift: [],
      since: 't',
    });
    expect(refusal(() => parseSourceState({ status: 'bad', since: 't' }, 'indx')).key).toBe('source#indx');
  });
});

describe('parsing discrepancy items and history rows', () => {
  const opened = observe(undefined, crossSourceDiscrepancy);
  const state = opened === 'duplicate' ? undefined : opened.next;

  it('gives the state without the attributes the indexes need', () => {
    if (!state) throw new Error('not opened');
    expect(parseDiscrepancy({ ...state, statusOrder: statusOrder(state) })).toEqual(state);
  });

  it('refuses an item whose version is not a number, naming its id', () => {
    if (!state) throw new Error('not opened');
    const error = refusal(() => parseDiscrepancy({ ...state, version: '1' }));
    expect(error.message).toMatch(/^malformed discrepancy item cross-source:u2:btc: version: /);
  });

  it('gives a history row as its event, without its sort key and expiry', () => {
    const event = { discrepancyId: 'd', type: 'acknowledged', at: 't', by: 'ana' } as const;
    expect(parseHistoryRow({ ...event, eventKey: 't#acknowledged#ana', expiresAt: 9 })).toEqual(event);
    expect(refusal(() => parseHistoryRow({ ...event, type: 'deleted', eventKey: 'k' })).key).toBe('k');
  });
});
