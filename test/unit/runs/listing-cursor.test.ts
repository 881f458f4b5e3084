import { describe, expect, it } from 'vitest';
import type { ListedUser } from '../../../lib/ports/upstream';
import { instantOf, nextStep, startOf } from '../../../lib/runs/listing-cursor';

const T1 = '2021-06-09T14:24:38.718846Z';
const T2 = '2021-06-09T14:24:38.718847Z';
const T3 = '2021-06-09T14:25:00Z';
const user = (userId: string, createdAt: string): ListedUser => ({ userId, roles: ['Trader'], createdAt });
const answer = (users: ListedUser[], total: number, pageSize = 3) => ({ users, total, pageSize });

describe('instantOf', () => {
  it('keeps the microseconds Date would drop, whatever the fraction width or offset', () => {
    expect(instantOf(T2) - instantOf(T1)).toBe(1n);
    expect(instantOf('2021-06-09T14:24:38.7188Z')).toBe(instantOf('2021-06-09T14:24:38.718800Z'));
    expect(instantOf('2021-06-09T16:24:38.718846+02:00')).toBe(instantOf(T1));
    expect(() => instantOf('yesterday')).toThrow(RangeError);
  });
});

describe('nextStep', () => {
  it('reads on from the last instant served, remembering the users read at it', () => {
    const step = nextStep(startOf({}), {}, answer([user('a', T1), user('b', T2), user('c', T2)], 10));
    expect(step.fresh.map((u) => u.userId)).toEqual(['a', 'b', 'c']);
    expect(step.next).toEqual({ from: T2, seen: ['b', 'c'], page: 1 });
    expect(step.notes).toEqual([]);
  });

  it('drops the users already read at the cursor instant (the DateRange from is inclusive)', () => {
    const step = nextStep({ from: T2, seen: ['b', 'c'], page: 1 }, {}, answer([user('b', T2), user('c', T2), user('d', T3)], 3));
    expect(step.fresh.map((u) => u.userId)).toEqual(['d']);
    expect(step.next).toBeUndefined();
  });

  it('pages on within an instant a whole page shares, and ends on that query last page', () => {
    const first = nextStep({ from: T1, seen: [], page: 1 }, {}, answer([user('a', T1), user('b', T1), user('c', T1)], 5));
    expect(first.next).toEqual({ from: T1, seen: ['a', 'b', 'c'], page: 2 });
    const second = nextStep(first.next as never, {}, answer([user('d', T1), user('e', T2)], 5));
    expect(second.fresh.map((u) => u.userId)).toEqual(['d', 'e']);
    expect(second.next).toBeUndefined();
  });

  it('stops at the next shard first instant, leaving its users to it', () => {
    const step = nextStep(startOf({ until: T2 }), { until: T2 }, answer([user('a', T1), user('b', T2), user('c', T3)], 9));
    expect(step.fresh.map((u) => u.userId)).toEqual(['a']);
    expect(step.next).toBeUndefined();
    expect(step.broken).toBe(false);
  });

  it('notes a page short of its paging, and reads on from its last user', () => {
    const step = nextStep(startOf({}), {}, answer([user('a', T1), user('c', T3)], 9));
    expect(step.notes).toEqual(['the listing from its start: 2 of its 3 users answered']);
    expect(step.next).toEqual({ from: T3, seen: ['c'], page: 1 });
  });

  it('is broken by users out of creation order or by an empty page that promised users: the rest is left unread', () => {
    const disordered = nextStep(startOf({}), {}, answer([user('a', T2), user('b', T1), user('c', T3)], 9));
    expect(disordered).toMatchObject({ broken: true, next: undefined });
    expect(disordered.notes).toEqual(['the listing from its start: served b out of creation order']);
    expect(nextStep({ from: T1, seen: ['a'], page: 1 }, {}, answer([], 4))).toMatchObject({ broken: true, next: undefined });
  });

  it('notes a page within an instant that serves only users of the pages before it (a page served again)', () => {
    const step = nextStep({ from: T1, seen: ['a', 'b', 'c'], page: 2 }, {}, answer([user('a', T1), user('b', T1), user('c', T1)], 9));
    expect(step.fresh).toEqual([]);
    expect(step.notes).toEqual([`the listing from ${T1} (page 2): served only users already read`]);
  });
});
