import { describe, expect, it } from 'vitest';
import { sourceTransition } from '../../../lib/runs/source-transitions';

const since = '2025-01-01T00:00:00.000Z';
const at = '2025-01-02T00:00:00.000Z';

describe('sourceTransition', () => {
  it('keeps a source failing while its failing endpoint goes unread', () => {
    const previous = { status: 'failing' as const, drift: [], since, failingEndpoints: ['users/balances'] };
    const { alert, next } = sourceTransition(previous, { status: 'ok', failures: 0, answeredEndpoints: ['assets', 'users'] }, at);
    expect(alert).toBeUndefined();
    expect(next).toMatchObject({ status: 'failing', since, failingEndpoints: ['users/balances'] });
  });

  it('recovers once every failing endpoint answered again', () => {
    const previous = { status: 'failing' as const, drift: [], since, failingEndpoints: ['balances', 'user/balance'] };
    const half = sourceTransition(previous, { status: 'ok', failures: 0, answeredEndpoints: ['balances'] }, at);
    expect(half.alert).toBeUndefined();
    expect(half.next.failingEndpoints).toEqual(['user/balance']);
    const all = sourceTransition(half.next, { status: 'ok', failures: 0, answeredEndpoints: ['user/balance'] }, at);
    expect(all.alert).toBe('recovered');
    expect(all.next).toMatchObject({ status: 'ok', failingEndpoints: [] });
  });

  it('reads an old per-source record as every endpoint failing, cleared by a run without failures', () => {
    const old = { status: 'failing' as const, drift: [], since };
    expect(
      sourceTransition(old, { status: 'degraded', failures: 1, failingEndpoints: ['users'], answeredEndpoints: ['assets'] }, at).alert,
    ).toBeUndefined();
    expect(sourceTransition(old, { status: 'ok', failures: 0, answeredEndpoints: ['assets'] }, at).alert).toBe('recovered');
  });
});
