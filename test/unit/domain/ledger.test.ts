import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FLOW_KINDS, type Flow, Ledger } from '../../../lib/domain/ledger';
import { Amount } from '../../../lib/domain/money';

const asOf = new Date('2026-01-01T00:00:00Z');
const flow = fc.record({
  userId: fc.constantFrom('u1', 'u2'),
  asset: fc.constantFrom('btc', 'eth'),
  kind: fc.constantFrom(...FLOW_KINDS),
  id: fc.stringMatching(/^[a-z0-9/]{1,8}$/),
  at: fc.integer({ min: asOf.getTime() - 86_400_000, max: asOf.getTime() }).map((ms) => new Date(ms).toISOString()),
  amount: fc.bigInt({ min: -(10n ** 30n), max: 10n ** 30n }).map((units) => Amount.of(units, 18)),
}) as fc.Arbitrary<Flow>;

/** What a position's history says, in plain values: equal when the history is. */
function picture(ledger: Ledger, userId: string, asset: string) {
  const position = ledger.get(userId, asset);
  if (!position) return undefined;
  return {
    total: position.total.toString(),
    kinds: Object.fromEntries(
      FLOW_KINDS.flatMap((kind) => {
        const totals = position.kinds[kind];
        return totals ? [[kind, { count: totals.count, sum: totals.sum.toString(), latest: totals.latest }]] : [];
      }),
    ),
  };
}

describe('Ledger running totals', () => {
  it('rolls forward from stored totals (through JSON) exactly as from the whole history', () => {
    fc.assert(
      fc.property(fc.array(flow, { maxLength: 40 }), fc.nat(), (flows, cut) => {
        const split = flows.length === 0 ? 0 : cut % (flows.length + 1);
        const whole = new Ledger(asOf, 0);
        for (const row of flows) whole.add(row);
        const before = new Ledger(asOf, 0);
        for (const row of flows.slice(0, split)) before.add(row);
        const after = new Ledger(asOf, 0);
        for (const userId of ['u1', 'u2']) {
          const stored = JSON.parse(JSON.stringify(before.totalsOf(userId)));
          for (const [asset, position] of Object.entries(stored)) after.seed(userId, asset, position as never);
        }
        for (const row of flows.slice(split)) after.add(row);
        for (const userId of ['u1', 'u2'])
          for (const asset of ['btc', 'eth']) expect(picture(after, userId, asset)).toEqual(picture(whole, userId, asset));
      }),
      { numRuns: 500 },
    );
  });

  it('keeps the 3 latest rows of a kind, newest first and ties by id, in whatever order the rows come', () => {
    fc.assert(
      fc.property(fc.array(flow, { maxLength: 30 }), (flows) => {
        const ledger = new Ledger(asOf, 0);
        for (const row of flows) ledger.add(row);
        for (const userId of ['u1', 'u2'])
          for (const asset of ['btc', 'eth'])
            for (const kind of FLOW_KINDS) {
              const expected = flows
                .filter((row) => row.userId === userId && row.asset === asset && row.kind === kind)
                .map((row) => ({ id: row.id, at: Date.parse(row.at) }))
                .sort((a, b) => b.at - a.at || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
                .slice(0, 3);
              expect(ledger.get(userId, asset)?.kinds[kind]?.latest ?? []).toEqual(expected);
            }
      }),
      { numRuns: 500 },
    );
  });

  it('stores a position as its total and one entry per kind in order, 0 for a kind without rows, none after the last', () => {
    const ledger = new Ledger(asOf, 0);
    const at = '2025-12-31T00:00:00.000Z';
    const ms = Date.parse(at);
    ledger.add({ userId: 'u1', asset: 'btc', kind: 'withdrawals', id: 't1', at, amount: Amount.parse('-0.5') });
    ledger.add({ userId: 'u1', asset: 'btc', kind: 'buys', id: 'o1/e1', at, amount: Amount.parse('2.000000000000000001') });
    expect(ledger.totalsOf('u1')).toEqual({
      btc: ['1.500000000000000001', 0, [1, '-0.5', 't1', ms], [1, '2.000000000000000001', 'o1/e1', ms]],
    });
  });
});
