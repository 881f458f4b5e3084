import { describe, expect, it } from 'vitest';
import { chainedOpening, linkWrite, verifyChain } from '../../../lib/domain/history-chain';
import { type DiscrepancyState, type LifecycleEvent, observe, openedEvent } from '../../../lib/domain/lifecycle';
import { negativeAvailable } from '../../support/negative-available';

const NOW = { days: 30, now: new Date('2026-11-25T00:00:00.000Z') };
const LATE = { days: 30, now: new Date('2027-06-01T00:00:00.000Z') };

/** An item opened on 2026-11-22 with `notes` acknowledged-style entries after it, linked as the store links them. */
function chain(notes: string[]): { item: DiscrepancyState; history: LifecycleEvent[] } {
  const outcome = observe(undefined, negativeAvailable({ runId: 'r1' }));
  if (outcome === 'duplicate') throw new Error('unexpected duplicate');
  let item = linkWrite(outcome.next, { discrepancyId: outcome.next.id, type: 'opened', at: outcome.next.firstSeenAt }).next;
  const rows: LifecycleEvent[] = [];
  notes.forEach((note, i) => {
    const linked = linkWrite(item, { discrepancyId: item.id, type: 'assigned', at: `2026-11-23T0${i}:00:00.000Z`, by: 'alice', note });
    item = linked.next;
    if (linked.row) rows.push(linked.row);
  });
  const opening = chainedOpening(item);
  return { item, history: opening ? [opening, ...rows] : rows };
}

describe('verifyChain', () => {
  it('verifies an untouched chain, the opening kept on the item counted', () => {
    const { item, history } = chain(['a', 'b']);
    expect(verifyChain(item, history, NOW)).toEqual({ verified: true, entries: 3 });
  });

  it('names an edited opening (the figures kept on the item)', () => {
    const { item, history } = chain(['a']);
    const edited = { ...item, openedDifference: '-1' };
    expect(verifyChain(edited, history, NOW).firstBroken).toMatchObject({ seq: 2, problem: expect.stringMatching(/opening was edited/) });
    const alone = chain([]);
    expect(verifyChain({ ...alone.item, openedDifference: '-1' }, alone.history, NOW).firstBroken).toMatchObject({ seq: 1 });
  });

  it('accepts a prefix that expired, not one deleted within the retention', () => {
    const { item, history } = chain(['a', 'b', 'c']);
    const withoutSecond = history.filter((entry) => entry.seq !== 2);
    expect(verifyChain(item, withoutSecond, NOW).verified).toBe(false);
    expect(verifyChain(item, withoutSecond, LATE)).toMatchObject({ verified: true });
  });

  it('accepts a whole tail that expired, not a last row deleted within the retention', () => {
    const { item, history } = chain(['a', 'b']);
    expect(verifyChain(item, history.slice(0, 1), NOW).firstBroken).toMatchObject({ seq: 3 });
    expect(verifyChain(item, history.slice(0, 1), LATE).verified).toBe(true);
  });

  it('counts rows written before chaining as unchained, and breaks on an unhashed row after the chain began', () => {
    const { item, history } = chain(['a']);
    const legacy: LifecycleEvent = { discrepancyId: item.id, type: 'changed', at: '2026-11-22T12:00:00.000Z', runId: 'r0' };
    const [opening, ...rows] = history;
    expect(verifyChain(item, [opening as LifecycleEvent, legacy, ...rows], NOW)).toEqual({ verified: true, entries: 2, unchained: 1 });
    expect(verifyChain(item, [...history, legacy], NOW).firstBroken).toMatchObject({
      problem: expect.stringMatching(/no hash, after the chain began/),
    });
    const unchainedItem = { ...item, historyHead: undefined, historyLength: undefined, historyHeadAt: undefined };
    const opened = openedEvent(unchainedItem) as LifecycleEvent;
    expect(verifyChain(unchainedItem, [opened, legacy], NOW)).toEqual({ verified: true, entries: 0, unchained: 2 });
  });
});

describe('linkWrite', () => {
  it('links a write once: linking it again changes nothing', () => {
    const { item } = chain(['a']);
    const once = linkWrite(item, { discrepancyId: item.id, type: 'acknowledged', at: '2026-11-24T00:00:00.000Z', by: 'bob', note: 'x' });
    expect(linkWrite(once.next, once.row)).toEqual(once);
    expect(once.row).toMatchObject({ seq: 3, prevHash: item.historyHead, prevAt: item.historyHeadAt });
  });
});
