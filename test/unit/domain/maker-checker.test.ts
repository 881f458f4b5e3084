import { describe, expect, it } from 'vitest';
import type { Discrepancy } from '../../../lib/domain/discrepancy';
import {
  actAsPerson,
  approveResolution,
  assign,
  type DiscrepancyState,
  InvalidTransitionError,
  observe,
  personActedSince,
  proposeResolution,
  rejectResolution,
  resolveByRun,
  SameCheckerError,
} from '../../../lib/domain/lifecycle';
import { negativeAvailable } from '../../support/negative-available';

const AT = '2026-11-23T00:05:00.000Z';
const LATER = '2026-11-23T00:06:00.000Z';
const RUN_START = '2026-11-23T00:00:00.000Z';

/** `sanity:u1:btc` (high unless `overrides` say otherwise), opened by run r1. */
function opened(overrides: Partial<Discrepancy> = {}): DiscrepancyState {
  const outcome = observe(undefined, negativeAvailable({ runId: 'r1', ...overrides }));
  if (outcome === 'duplicate') throw new Error('unexpected duplicate');
  return outcome.next;
}

/** Opened, with alice's proposal pending. */
function proposed(): DiscrepancyState {
  return proposeResolution(opened(), 'alice', 'ops fixed the ledger', AT);
}

describe('proposeResolution', () => {
  it('records the proposal and leaves the status', () => {
    expect(proposed()).toMatchObject({
      status: 'open',
      pendingResolution: { by: 'alice', at: AT, note: 'ops fixed the ledger' },
      version: 2,
    });
  });

  it('refuses a second proposal while one waits, and a resolved discrepancy', () => {
    expect(() => proposeResolution(proposed(), 'bob', 'me too', LATER)).toThrow(/alice proposed it already/);
    expect(() => proposeResolution(resolveByRun(opened(), 'r2', AT), 'bob', 'x', LATER)).toThrow(InvalidTransitionError);
  });
});

describe('approveResolution', () => {
  it("resolves it in the second person's name", () => {
    const approved = approveResolution(proposed(), 'bob', 'checked', LATER);
    expect(approved).toMatchObject({ status: 'resolved', resolvedBy: 'bob', resolvedAt: LATER, resolvedNote: 'checked', version: 3 });
    expect(approved.pendingResolution).toBeUndefined();
  });

  it('refuses the proposer as their own checker, saying a second person must approve', () => {
    expect(() => approveResolution(proposed(), 'alice', 'self', LATER)).toThrow(SameCheckerError);
    expect(() => approveResolution(proposed(), 'alice', 'self', LATER)).toThrow(/a second person must approve/);
  });

  it('refuses when nothing is pending', () => {
    expect(() => approveResolution(opened(), 'bob', 'x', LATER)).toThrow(InvalidTransitionError);
  });
});

describe('rejectResolution', () => {
  it('clears the proposal, the status unchanged', () => {
    const rejected = rejectResolution(proposed());
    expect(rejected).toMatchObject({ status: 'open', version: 3 });
    expect(rejected.pendingResolution).toBeUndefined();
  });

  it('refuses when nothing is pending', () => {
    expect(() => rejectResolution(opened())).toThrow(/no resolution is pending/);
  });
});

describe('assign', () => {
  it('records to whom, by whom and when', () => {
    expect(assign(opened(), 'alice', 'bob', AT)).toMatchObject({ assignedTo: 'bob', assignedBy: 'alice', assignedAt: AT, status: 'open' });
  });

  it('refuses a resolved discrepancy', () => {
    expect(() => assign(resolveByRun(opened(), 'r2', AT), 'alice', 'bob', LATER)).toThrow(InvalidTransitionError);
  });
});

describe('a run and a pending proposal', () => {
  it("a run's resolution clears it", () => {
    expect(resolveByRun(proposed(), 'r2', LATER).pendingResolution).toBeUndefined();
  });

  it('a reopening drops it and keeps the history chain going', () => {
    const resolved = { ...resolveByRun(proposed(), 'r2', LATER), historyHead: 'h', historyLength: 3, historyHeadAt: LATER };
    const outcome = observe(resolved, negativeAvailable({ runId: 'r3', detectedAt: '2026-11-24T00:00:00.000Z' }));
    if (outcome === 'duplicate') throw new Error('unexpected duplicate');
    expect(outcome.event).toBe('reopened');
    expect(outcome.next.pendingResolution).toBeUndefined();
    expect(outcome.next).toMatchObject({ historyHead: 'h', historyLength: 3, historyHeadAt: LATER });
  });
});

describe('personActedSince (assignment and proposal)', () => {
  it('counts an assignment or a proposal at or after the run start as a person acting', () => {
    expect(personActedSince(assign(opened(), 'alice', 'bob', AT), RUN_START)).toBe(true);
    expect(personActedSince(proposed(), RUN_START)).toBe(true);
  });

  it('does not count them before the start', () => {
    expect(personActedSince(assign(opened(), 'alice', 'bob', '2026-11-22T12:00:00.000Z'), RUN_START)).toBe(false);
    expect(personActedSince(proposeResolution(opened(), 'alice', 'x', '2026-11-22T12:00:00.000Z'), RUN_START)).toBe(false);
  });
});

describe('actAsPerson', () => {
  it('proposes on resolve for high and critical, resolves for low and medium', () => {
    expect(actAsPerson(opened(), { action: 'resolve', by: 'alice', note: 'n', at: AT }).event).toMatchObject({
      type: 'resolution-proposed',
      by: 'alice',
      note: 'n',
    });
    const low = actAsPerson(opened({ severity: 'low' }), { action: 'resolve', by: 'alice', note: 'n', at: AT });
    expect(low.next.status).toBe('resolved');
    expect(low.event.type).toBe('resolved');
  });

  it('records an approval as resolved, naming the proposer; a rejection and an assignment with their own types', () => {
    expect(actAsPerson(proposed(), { action: 'approve', by: 'bob', note: 'ok', at: LATER }).event).toMatchObject({
      type: 'resolved',
      by: 'bob',
      proposedBy: 'alice',
    });
    expect(actAsPerson(proposed(), { action: 'reject', by: 'bob', note: 'no', at: LATER }).event.type).toBe('resolution-rejected');
    expect(actAsPerson(opened(), { action: 'assign', assignee: 'carol', by: 'bob', note: 'yours', at: LATER }).event).toMatchObject({
      type: 'assigned',
      assignee: 'carol',
      discrepancyId: 'sanity:u1:btc',
    });
  });
});
