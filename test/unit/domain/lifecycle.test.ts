import { describe, expect, it } from 'vitest';
import type { Discrepancy } from '../../../lib/domain/discrepancy';
import {
  acknowledge,
  type DiscrepancyState,
  InvalidTransitionError,
  observe,
  openedAlertDue,
  openedEvent,
  personActedSince,
  resolveByRun,
  resolvedByPersonSince,
  resolveManually,
} from '../../../lib/domain/lifecycle';
import { negativeAvailable } from '../../support/negative-available';

const RUN_START = '2026-11-23T00:00:00.000Z';
const MEDIUM = { severity: 'medium' } as const;

/** `sanity:u1:btc` (high unless `overrides` say otherwise), opened by a run on 2026-11-22. */
function opened(overrides: Partial<Discrepancy> = {}): DiscrepancyState {
  const outcome = observe(undefined, negativeAvailable({ runId: 'r1', ...overrides }));
  if (outcome === 'duplicate') throw new Error('unexpected duplicate');
  return outcome.next;
}

/** What `observe` makes of `found` after `previous`, failing the test on a duplicate. */
function seen(previous: DiscrepancyState | undefined, found: Discrepancy) {
  const outcome = observe(previous, found);
  if (outcome === 'duplicate') throw new Error('unexpected duplicate');
  return outcome;
}

/** The same finding in run `r2`, a day later, with `overrides`. */
function secondRun(overrides: Partial<Discrepancy> = {}): Discrepancy {
  return negativeAvailable({ runId: 'r2', detectedAt: '2026-11-23T00:00:00.000Z', ...overrides });
}

describe('observe', () => {
  it('opens a discrepancy seen for the first time, at version 1, owing its alert, carrying its opened figures', () => {
    const { next, event } = seen(undefined, negativeAvailable({ runId: 'r1' }));
    expect(event).toBe('opened');
    expect(next).toMatchObject({
      id: 'sanity:u1:btc',
      status: 'open',
      firstSeenAt: '2026-11-22T00:00:00.000Z',
      lastSeenAt: '2026-11-22T00:00:00.000Z',
      firstRunId: 'r1',
      lastRunId: 'r1',
      runsSeen: 1,
      consecutiveRuns: 1,
      largestDifference: '2',
      openedDifference: '-2',
      openedSeverity: 'high',
      alerted: false,
      version: 1,
    });
  });

  it('changes nothing when the same run is delivered again', () => {
    expect(observe(opened(), negativeAvailable({ runId: 'r1', actual: '-5', difference: '-5' }))).toBe('duplicate');
  });

  it('counts a later run that finds the same figures as unchanged, keeping when it was first seen', () => {
    const { next, event } = seen(opened(), secondRun());
    expect(event).toBe('unchanged');
    expect(next).toMatchObject({
      status: 'open',
      firstSeenAt: '2026-11-22T00:00:00.000Z',
      firstRunId: 'r1',
      lastSeenAt: '2026-11-23T00:00:00.000Z',
      lastRunId: 'r2',
      runsSeen: 2,
      consecutiveRuns: 2,
      largestDifference: '2',
      version: 2,
    });
  });

  it('records moved figures as changed, keeping the largest |difference| seen', () => {
    const grown = seen(opened(), secondRun({ actual: '-7', difference: '-7' }));
    expect(grown.event).toBe('changed');
    expect(grown.next).toMatchObject({ difference: '-7', actual: '-7', largestDifference: '7', version: 2 });

    const shrunk = seen(grown.next, negativeAvailable({ runId: 'r3', actual: '-1', difference: '-1' }));
    expect(shrunk.event).toBe('changed');
    expect(shrunk.next).toMatchObject({ difference: '-1', largestDifference: '7', runsSeen: 3, version: 3 });
  });

  it('escalates when the severity rises, even with the same figures, and not when it falls', () => {
    const risen = seen(opened(), secondRun({ severity: 'critical' }));
    expect(risen.event).toBe('escalated');
    expect(risen.next.severity).toBe('critical');

    const fallen = seen(risen.next, negativeAvailable({ runId: 'r3', severity: 'low', actual: '-3', difference: '-3' }));
    expect(fallen.event).toBe('changed');
    expect(fallen.next.severity).toBe('low');
  });

  it("keeps a person's acknowledgement while later runs still find it", () => {
    const acked = acknowledge(opened(), 'alice', 'looking', '2026-11-22T06:00:00.000Z');
    const { next } = seen(acked, secondRun());
    expect(next).toMatchObject({ status: 'acknowledged', acknowledgedBy: 'alice', acknowledgedNote: 'looking', version: 3 });
  });

  it('reopens a resolved discrepancy found again: one run in a row, first sighting and opened figures kept, alert owed again', () => {
    const resolved = { ...resolveByRun(opened(), 'r2', '2026-11-23T00:00:00.000Z'), alerted: true };
    const { next, event } = seen(
      resolved,
      negativeAvailable({ runId: 'r3', detectedAt: '2026-11-24T00:00:00.000Z', actual: '-4', difference: '-4' }),
    );
    expect(event).toBe('reopened');
    expect(next).toMatchObject({
      status: 'open',
      firstSeenAt: '2026-11-22T00:00:00.000Z',
      firstRunId: 'r1',
      lastSeenAt: '2026-11-24T00:00:00.000Z',
      lastRunId: 'r3',
      runsSeen: 2,
      consecutiveRuns: 1,
      largestDifference: '4',
      openedDifference: '-2',
      openedSeverity: 'high',
      alerted: false,
      version: 3,
    });
  });

  it('keeps an old item without opened figures without them when it reopens (its history has the row)', () => {
    const { openedDifference: _d, openedSeverity: _s, ...old } = resolveByRun(opened(), 'r2', '2026-11-23T00:00:00.000Z');
    const { next } = seen(old, negativeAvailable({ runId: 'r3' }));
    expect(next.openedDifference).toBeUndefined();
    expect(next.openedSeverity).toBeUndefined();
  });
});

describe('resolveByRun', () => {
  it('resolves it as the system, naming the run, and restarts the count of runs in a row', () => {
    const found = seen(opened(), secondRun()).next;
    const resolved = resolveByRun(found, 'r3', '2026-11-24T00:00:00.000Z');
    expect(resolved).toMatchObject({
      status: 'resolved',
      resolvedBy: 'system',
      resolvedAt: '2026-11-24T00:00:00.000Z',
      resolvedNote: 'matched in run r3',
      consecutiveRuns: 0,
      runsSeen: 2,
      version: 3,
    });
  });
});

describe('acknowledge', () => {
  it('records who saw it, when and why, and bumps the version', () => {
    expect(acknowledge(opened(), 'alice', 'looking', '2026-11-22T06:00:00.000Z')).toMatchObject({
      status: 'acknowledged',
      acknowledgedBy: 'alice',
      acknowledgedAt: '2026-11-22T06:00:00.000Z',
      acknowledgedNote: 'looking',
      consecutiveRuns: 1,
      version: 2,
    });
  });

  it('refuses what is not open, naming the discrepancy and its status', () => {
    const acked = acknowledge(opened(), 'alice', 'looking', '2026-11-22T06:00:00.000Z');
    expect(() => acknowledge(acked, 'bob', 'me too', '2026-11-22T07:00:00.000Z')).toThrow(
      'discrepancy sanity:u1:btc is acknowledged: it cannot be acknowledged',
    );
    const resolved = resolveByRun(opened(), 'r2', '2026-11-23T00:00:00.000Z');
    const error = (() => {
      try {
        acknowledge(resolved, 'bob', 'late', '2026-11-23T01:00:00.000Z');
      } catch (caught) {
        return caught;
      }
    })();
    expect(error).toBeInstanceOf(InvalidTransitionError);
    expect(error).toMatchObject({ name: 'InvalidTransitionError', id: 'sanity:u1:btc', from: 'resolved', action: 'acknowledged' });
  });
});

describe('resolveManually', () => {
  it("resolves an open or acknowledged discrepancy in the person's name, with the note", () => {
    const fromOpen = resolveManually(opened(MEDIUM), 'bob', 'fixed', '2026-11-22T08:00:00.000Z');
    expect(fromOpen).toMatchObject({
      status: 'resolved',
      resolvedBy: 'bob',
      resolvedAt: '2026-11-22T08:00:00.000Z',
      resolvedNote: 'fixed',
      consecutiveRuns: 0,
      version: 2,
    });
    const acked = acknowledge(opened(MEDIUM), 'alice', 'looking', '2026-11-22T06:00:00.000Z');
    expect(resolveManually(acked, 'bob', 'fixed', '2026-11-22T08:00:00.000Z')).toMatchObject({
      status: 'resolved',
      resolvedBy: 'bob',
      acknowledgedBy: 'alice',
      version: 3,
    });
  });

  it('refuses what is already resolved', () => {
    const resolved = resolveManually(opened(MEDIUM), 'bob', 'fixed', '2026-11-22T08:00:00.000Z');
    expect(() => resolveManually(resolved, 'carol', 'again', '2026-11-22T09:00:00.000Z')).toThrow(InvalidTransitionError);
    expect(() => resolveManually(resolved, 'carol', 'again', '2026-11-22T09:00:00.000Z')).toThrow('is resolved: it cannot be resolved');
  });

  it('refuses a high or critical discrepancy: one person cannot resolve it alone', () => {
    expect(() => resolveManually(opened(), 'bob', 'fixed', '2026-11-22T08:00:00.000Z')).toThrow(/propose, then a second person approves/);
    expect(() => resolveManually(opened({ severity: 'critical' }), 'bob', 'fixed', '2026-11-22T08:00:00.000Z')).toThrow(
      InvalidTransitionError,
    );
  });
});

describe('openedEvent', () => {
  it('is the "opened" history entry the item carries: first sighting, first run, opened figures, by the system', () => {
    const later = seen(opened(), secondRun({ severity: 'critical', actual: '-9', difference: '-9' })).next;
    expect(openedEvent(later)).toEqual({
      discrepancyId: 'sanity:u1:btc',
      type: 'opened',
      at: '2026-11-22T00:00:00.000Z',
      runId: 'r1',
      by: 'system',
      difference: '-2',
      severity: 'high',
    });
  });

  it('is absent on an item opened before the opened figures were kept', () => {
    const { openedDifference: _d, ...old } = opened();
    expect(openedEvent(old)).toBeUndefined();
  });
});

describe('openedAlertDue', () => {
  it('is due once found in enough runs in a row, not before', () => {
    const once = opened();
    const twice = seen(once, secondRun()).next;
    expect(openedAlertDue(once, 2)).toBe(false);
    expect(openedAlertDue(twice, 2)).toBe(true);
    expect(openedAlertDue(once, 1)).toBe(true);
  });

  it('is not due when already alerted or resolved, and still due when acknowledged', () => {
    expect(openedAlertDue({ ...opened(), alerted: true }, 1)).toBe(false);
    expect(openedAlertDue(resolveManually(opened(MEDIUM), 'bob', 'fixed', '2026-11-22T08:00:00.000Z'), 0)).toBe(false);
    expect(openedAlertDue(acknowledge(opened(), 'alice', 'looking', '2026-11-22T06:00:00.000Z'), 1)).toBe(true);
  });
});

describe('resolvedByPersonSince', () => {
  it("holds for a person's resolution at or after the run's start, not before it", () => {
    expect(resolvedByPersonSince(resolveManually(opened(MEDIUM), 'alice', 'fixed', '2026-11-23T00:05:00.000Z'), RUN_START)).toBe(true);
    expect(resolvedByPersonSince(resolveManually(opened(MEDIUM), 'alice', 'fixed', RUN_START), RUN_START)).toBe(true);
    expect(resolvedByPersonSince(resolveManually(opened(MEDIUM), 'alice', 'fixed', '2026-11-22T23:59:59.999Z'), RUN_START)).toBe(false);
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
    expect(personActedSince(resolveManually(opened(MEDIUM), 'bob', 'fixed', '2026-11-23T00:05:00.000Z'), RUN_START)).toBe(true);
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
