import { describe, expect, it } from 'vitest';
import {
  acknowledge,
  type DiscrepancyState,
  observe,
  personActedSince,
  resolveByRun,
  resolvedByPersonSince,
  resolveManually,
} from '../../../lib/domain/lifecycle';
import { negativeAvailable } from '../../support/negative-available';

const RUN_START = '2026-11-23T00:00:00.000Z';

/** `sanity:u1:btc`, opened by a run on 2026-11-22. */
function opened(): DiscrepancyState {
  const outcome = observe(undefined, negativeAvailable({ runId: 'r1' }));
  if (outcome === 'duplicate') throw new Error('unexpected duplicate');
  return outcome.next;
}

describe('resolvedByPersonSince', () => {
  it("holds for a person's resolution at or after the run's start, not before it", () => {
    expect(resolvedByPersonSince(resolveManually(opened(), 'alice', 'fixed', '2026-11-23T00:05:00.000Z'), RUN_START)).toBe(true);
    expect(resolvedByPersonSince(resolveManually(opened(), 'alice', 'fixed', RUN_START), RUN_START)).toBe(true);
    expect(resolvedByPersonSince(resolveManually(opened(), 'alice', 'fixed', '2026-11-22T23:59:59.999Z'), RUN_START)).toBe(false);
  });

  it("never holds for a run's own resolution, nor for what is not resolved", () => {
    expect(resolvedByPersonSince(resolveByRun(opened(), 'r2', '2026-11-23T00:05:00.000Z'), RUN_START)).toBe(false);
    expect(resolvedByPersonSince(acknowledge(opened(), 'alice', 'looking', '2026-11-23T00:05:00.000Z'), RUN_START)).toBe(false);
    expect(resolvedByPersonSince(opened(), RUN_START)).toBe(false);
  });
});

describe('personActedSince', () => {
  it("holds for a person's acknowledgement or resolution at or after the run's start", () => {
    expect(personActedSince(acknowledge(opened(), 'alice', 'looking', '2026-11-23T00:05:00.000Z'), RUN_START)).toBe(true);
    expect(personActedSince(resolveManually(opened(), 'bob', 'fixed', '2026-11-23T00:05:00.000Z'), RUN_START)).toBe(true);
  });

  it('does not hold for an acknowledgement before the start, a run resolution, or an untouched discrepancy', () => {
    expect(personActedSince(acknowledge(opened(), 'alice', 'looking', '2026-11-22T12:00:00.000Z'), RUN_START)).toBe(false);
    expect(personActedSince(resolveByRun(opened(), 'r2', '2026-11-23T00:05:00.000Z'), RUN_START)).toBe(false);
    expect(personActedSince(opened(), RUN_START)).toBe(false);
  });

  it('reads the times as instants, not as strings', () => {
    const acked = acknowledge(opened(), 'alice', 'looking', '2026-11-23T01:00:00+01:00');
    expect(personActedSince(acked, RUN_START)).toBe(true);
  });
});
