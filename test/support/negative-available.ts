import type { Discrepancy } from '../../lib/domain/discrepancy';

/**
 * A `sanity` finding as the tests store it: a user's BTC available at -2 (high), found by a run on
 * 2026-11-22; `overrides` name another user, run or figures.
 */
export function negativeAvailable(overrides: Partial<Discrepancy> = {}): Discrepancy {
  const userId = overrides.userId ?? 'u1';
  return {
    id: `sanity:${userId}:btc`,
    check: 'sanity',
    userId,
    asset: 'btc',
    field: 'available',
    expected: '0',
    actual: '-2',
    difference: '-2',
    evidence: { 'reporting.available': '-2' },
    severity: 'high',
    runId: 'r-20261122T000000Z-00000000',
    detectedAt: '2026-11-22T00:00:00.000Z',
    ...overrides,
  };
}
