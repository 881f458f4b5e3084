import { describe, expect, it } from 'vitest';
import { Amount } from '../../../lib/domain/money';
import { Precision } from '../../../lib/domain/precision';
import { checkVenues, MirroredBalances, type VenuePorts } from '../../../lib/runs/check-venues';
import { CircuitBreaker } from '../../../lib/runs/circuit-breaker';
import { SourceHealthTracker } from '../../../lib/runs/source-health';
import { SourceError } from '../../../lib/sources/source-error';
import type { VenueAccounts } from '../../../lib/venues/venue-accounts';

const a = Amount.parse;
const accounts: VenueAccounts = {
  multimarkets: [
    { thirdServerCode: 'T1', userName: '86000001', currency: 'USDT', userId: 'u1', asset: 'usdt' },
    { thirdServerCode: 'T1', userName: '86000002', currency: 'USDT', userId: 'u2', asset: 'usdt' },
  ],
  indx: [{ wmid: '111111111111', userId: 'u1', wmz: 'usd', instruments: [{ id: 7, name: 'BTC', asset: 'btc' }] }],
};
const scales = new Precision(
  new Map([
    ['usdt', 6],
    ['usd', 2],
    ['btc', 8],
  ]),
);

function mirroredBook() {
  const mirrored = new MirroredBalances(accounts);
  mirrored.note('u1', {
    ok: true,
    value: [
      { asset: 'usdt', amount: a('5.5') },
      { asset: 'usd', amount: a('10') },
      { asset: 'btc', amount: a('0.5') },
    ],
  });
  mirrored.note('u2', { ok: false, error: new SourceError('reporting', 'users/balances', 'timeout', 'x') });
  return mirrored;
}

describe('checkVenues', () => {
  it('compares each mapped account with the balance it mirrors, unknown where Reporting failed', async () => {
    const mirrored = mirroredBook();
    const ports: VenuePorts = {
      accounts,
      multiMarkets: {
        balance: async (ref) => ({
          found: true,
          amount: a(ref.userName === '86000001' ? '5.4' : '1'),
          scale: 6,
          currency: 'USDT',
          userName: ref.userName,
        }),
      },
      indx: {
        balance: async (wmid) => ({
          found: true,
          wmid,
          nickname: 'n',
          wmz: a('10'),
          price: a('0'),
          portfolio: [{ id: 7, name: 'BTC', notes: a('0.5'), price: a('1'), type: 't', kind: 0, by: 0 }],
        }),
      },
    };
    const verdicts = await checkVenues(
      ports,
      (u, asset) => mirrored.lookup(u, asset),
      scales,
      new CircuitBreaker(3),
      new SourceHealthTracker(),
    );
    expect(verdicts.map((v) => [v.check, v.userId, v.asset, v.outcome])).toEqual([
      ['venue-multimarkets', 'u1', 'usdt', 'mismatch'],
      ['venue-multimarkets', 'u2', 'usdt', 'unknown'],
      ['venue-indx', 'u1', 'usd', 'match'],
      ['venue-indx', 'u1', 'btc', 'match'],
    ]);
  });

  it('reads no INDX account when the credential probe fails, making them all unknown', async () => {
    let reads = 0;
    const health = new SourceHealthTracker();
    const ports: VenuePorts = {
      accounts,
      indx: {
        probeWmid: '999999999999',
        balance: async () => {
          reads++;
          throw new SourceError('indx', 'Balance', 'upstream-error', 'code -2: access denied');
        },
      },
    };
    const verdicts = await checkVenues(ports, (u, asset) => mirroredBook().lookup(u, asset), scales, new CircuitBreaker(3), health);
    expect(reads).toBe(1);
    expect(verdicts.every((verdict) => verdict.outcome === 'unknown')).toBe(true);
    expect(health.report().indx).toMatchObject({ status: 'degraded', firstError: 'indx Balance: upstream-error: code -2: access denied' });
  });

  it('stops calling a venue after three failures in a row', async () => {
    let reads = 0;
    const many: VenueAccounts = {
      multimarkets: Array.from({ length: 6 }, (_, i) => ({
        thirdServerCode: 'T',
        userName: `8600000${i}`,
        currency: 'USDT',
        userId: `u${i}`,
        asset: 'usdt',
      })),
      indx: [],
    };
    const ports: VenuePorts = {
      accounts: many,
      multiMarkets: {
        balance: async () => {
          reads++;
          throw new SourceError('multimarkets', 'get-user-amount', 'timeout', 'x', { retryable: true });
        },
      },
    };
    const verdicts = await checkVenues(
      ports,
      () => ({ ok: true, amount: a('1') }),
      scales,
      new CircuitBreaker(3),
      new SourceHealthTracker(),
    );
    expect(reads).toBe(3);
    expect(verdicts).toHaveLength(6);
    expect(verdicts.every((verdict) => verdict.outcome === 'unknown')).toBe(true);
  });
});
