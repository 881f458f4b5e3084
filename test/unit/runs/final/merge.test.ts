import { describe, expect, it } from 'vitest';
import { SourceError } from '../../../../lib/ports/source-error';
import { mergeShards } from '../../../../lib/runs/final/merge';
import { planOf, tallyOf } from './fixtures';

describe('mergeShards', () => {
  it("adds up the shards' tallies and their sources' health, Reporting used", () => {
    const first = tallyOf({ users: 2, sources: { backoffice: { status: 'degraded', failures: 1, firstError: 'HTTP 503' } } });
    const second = tallyOf({ users: 3, sources: { backoffice: { status: 'degraded', failures: 2 } } });
    const { merged, health } = mergeShards(planOf(), [first, second]);
    expect(merged.users).toBe(5);
    expect(health.report()).toMatchObject({
      reporting: { status: 'ok', failures: 0 },
      backoffice: { status: 'degraded', failures: 3, firstError: 'HTTP 503' },
    });
  });

  it("marks Reporting unavailable with the plan's failure", () => {
    const failure = new SourceError('reporting', 'assets-and-balances', 'network', 'ECONNREFUSED');
    const { merged, health } = mergeShards(planOf(), [], failure);
    expect(merged.users).toBe(0);
    expect(health.report().reporting).toMatchObject({ status: 'unavailable', failures: 1 });
    expect(health.anyFailed).toBe(true);
  });

  it('marks Reporting failed when the user listing came short or out of order, naming what moved', () => {
    const { health } = mergeShards(planOf(), [tallyOf({ listingMoved: ['page 3 came short'] })]);
    expect(health.report().reporting).toMatchObject({ status: 'degraded', failures: 1 });
    expect(health.report().reporting?.firstError).toContain('some users may be unchecked: page 3 came short');
  });

  it('notes the endpoints that answered while the run was planned', () => {
    const { health } = mergeShards(planOf({ answered: [{ source: 'reporting', endpoint: 'assets-and-balances' }] }), [tallyOf()]);
    expect(health.report().reporting?.answeredEndpoints).toEqual(['assets-and-balances']);
  });
});
