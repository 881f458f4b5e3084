import { createHash } from 'node:crypto';
import { type DiscrepancyState, type LifecycleEvent, openedEvent } from './lifecycle';

/*
 * A discrepancy's history as a hash chain: each entry carries the sha256 of its own fields and of the
 * entry before it, and the item carries the hash of the latest (its head) and the chain's length, all
 * written in one transaction. An entry edited, deleted or inserted straight in DynamoDB no longer
 * verifies. Without a secret key the chain cannot stop someone who recomputes every hash and the head
 * (docs/data-model.md, "History chain"): it makes a change visible, it does not make it impossible.
 */

/** The fields an entry's hash covers: the event's own, its place and its link to the entry before it (nothing of the table). */
const HASHED_FIELDS = [
  'discrepancyId',
  'type',
  'at',
  'runId',
  'by',
  'note',
  'difference',
  'severity',
  'assignee',
  'proposedBy',
  'seq',
  'prevHash',
  'prevAt',
] as const satisfies readonly (keyof LifecycleEvent)[];

/** Where a chain ends: the latest entry's hash, its place, and when it was written. */
interface ChainHead {
  hash: string;
  seq: number;
  at?: string;
}

/** Where the first entry that does not verify is, and why (the API's `ChainBreak`). */
export interface ChainProblem {
  discrepancyId: string;
  seq?: number;
  at?: string;
  type?: string;
  problem: string;
}

/** Whether a chain verifies: its entries checked, the first that does not, and the rows written before chaining (not checked). */
export interface ChainCheck {
  verified: boolean;
  entries: number;
  firstBroken?: ChainProblem;
  unchained?: number;
}

/**
 * The sha256 (hex) of an entry's canonical form: the {@link HASHED_FIELDS} it has, keys sorted, as JSON.
 *
 * @example
 * entryHash({ discrepancyId: 'sanity:u1:btc', type: 'acknowledged', at: '2026-11-23T00:05:00.000Z', seq: 2, prevHash: 'ab…' }) // '3f…'
 */
export function entryHash(entry: LifecycleEvent): string {
  const fields = [...HASHED_FIELDS].sort().flatMap((field) => (entry[field] === undefined ? [] : [[field, entry[field]]]));
  return createHash('sha256')
    .update(JSON.stringify(Object.fromEntries(fields)))
    .digest('hex');
}

/** The opening an item keeps on itself (`openedEvent`), as the first entry of its chain: seq 1, no entry before it. */
export function chainedOpening(state: DiscrepancyState): LifecycleEvent | undefined {
  const opened = openedEvent(state);
  if (!opened) return undefined;
  const entry = { ...opened, seq: 1, prevHash: '' };
  return { ...entry, hash: entryHash(entry) };
}

/** Where `state`'s chain ends before a new entry: its head, else its opening (an item chained from a later write), else nothing. */
function headOf(state: DiscrepancyState): ChainHead {
  if (state.historyHead !== undefined && state.historyLength !== undefined)
    return { hash: state.historyHead, seq: state.historyLength, at: state.historyHeadAt };
  const opening = chainedOpening(state);
  return opening?.hash ? { hash: opening.hash, seq: 1, at: opening.at } : { hash: '', seq: 0 };
}

/**
 * A write linked into the chain: `event` (if any) as the next entry after `next`'s head, and `next` with
 * that entry as its head. The opening kept on a new item is its chain's first entry (no row). A write
 * linked already (its event has a hash, or its opening a head) is returned as it is, so linking twice
 * changes nothing.
 *
 * @example
 * linkWrite(acknowledgedState, { discrepancyId, type: 'acknowledged', at, by: 'alice', note: 'seen' }).row?.seq // 2
 */
export function linkWrite(next: DiscrepancyState, event: LifecycleEvent | undefined): { next: DiscrepancyState; row?: LifecycleEvent } {
  if (!event) return { next };
  if (event.type === 'opened' && next.openedDifference !== undefined) {
    const opening = chainedOpening(next);
    if (next.historyHead !== undefined || !opening?.hash) return { next };
    return { next: { ...next, historyHead: opening.hash, historyLength: 1, historyHeadAt: opening.at } };
  }
  if (event.hash !== undefined) return { next, row: event };
  const head = headOf(next);
  const entry: LifecycleEvent = { ...event, seq: head.seq + 1, prevHash: head.hash, ...(head.at !== undefined && { prevAt: head.at }) };
  const row = { ...entry, hash: entryHash(entry) };
  return { next: { ...next, historyHead: row.hash, historyLength: row.seq, historyHeadAt: row.at }, row };
}

/** How long history rows are kept (their TTL), and when the check is made: a missing row older than that expired, it was not deleted. */
export interface Retention {
  days: number;
  now: Date;
}

/** Whether an entry written at `at` may have expired by now. */
function mayHaveExpired(at: string | undefined, retention: Retention): boolean {
  return at !== undefined && Date.parse(at) < retention.now.getTime() - retention.days * 86_400_000;
}

/** A chained row's place after `prev`: undefined when it follows it (or follows rows that expired), else what is wrong. */
function linkProblem(row: LifecycleEvent, prev: ChainHead, retention: Retention): string | undefined {
  const seq = row.seq ?? 0;
  if (entryHash(row) !== row.hash) return 'edited: its hash does not match its content';
  if (seq === prev.seq + 1 && row.prevHash === prev.hash) return undefined;
  if (seq > prev.seq + 1 && mayHaveExpired(row.prevAt, retention)) return undefined;
  if (seq > prev.seq + 1) return `entries ${prev.seq + 1}${seq - 1 > prev.seq + 1 ? `–${seq - 1}` : ''} before it are missing (deleted)`;
  if (seq === prev.seq + 1 && prev.seq === 1) return 'does not follow the opening kept on the item: the opening was edited';
  return seq === prev.seq + 1 ? 'does not follow the entry before it' : 'out of order: its place was taken already';
}

/** The item's head against the chain's last entry: undefined when they agree (or the tail expired), else what is wrong. */
function headProblem(item: DiscrepancyState, last: ChainHead, retention: Retention): ChainProblem | undefined {
  if (item.historyHead === last.hash && item.historyLength === last.seq) return undefined;
  const length = item.historyLength ?? 0;
  if (length > last.seq && mayHaveExpired(item.historyHeadAt, retention)) return undefined;
  const at = item.historyHeadAt;
  const where = { discrepancyId: item.id, seq: length, ...(at !== undefined && { at }) };
  if (length > last.seq) return { ...where, problem: `the latest entries (${last.seq + 1}–${length}) are missing (deleted)` };
  if (length === 1) return { ...where, type: 'opened', problem: 'the opening kept on the item was edited' };
  return { ...where, problem: "the item's head does not match its last entry" };
}

/**
 * Whether a discrepancy's history (as the store reads it: the opening kept on the item first, then the
 * rows oldest first) verifies, and the first entry that does not: an edited entry (hash mismatch), the
 * entry after deleted ones (a gap in `seq`), the item's head when its last entries were deleted, an
 * edited opening. Rows written before the history was chained (no hash) are counted as `unchained` and
 * not checked, as long as they come before the chained ones; one after them is a break. Rows missing
 * because they expired (their successor's `prevAt`, or the head's time, older than the retention) are
 * not a break.
 *
 * @example
 * verifyChain(item, await port.history(item), { days: 2557, now: new Date() }) // { verified: true, entries: 3 }
 */
export function verifyChain(item: DiscrepancyState, history: readonly LifecycleEvent[], retention: Retention): ChainCheck {
  const opening = chainedOpening(item);
  const rows = opening ? history.slice(1) : history;
  const chained = rows.filter((row) => row.hash !== undefined);
  if (item.historyHead === undefined) {
    const unchained = rows.length + (opening ? 1 : 0);
    const [first] = chained;
    if (!first) return { verified: true, entries: 0, unchained };
    return broken(0, { ...placeOf(first), problem: 'chained, but the item has no head: the item was edited' });
  }
  let prev: ChainHead = opening?.hash ? { hash: opening.hash, seq: 1, at: opening.at } : { hash: '', seq: 0 };
  let entries = prev.seq;
  let unchained = 0;
  let began = false;
  for (const row of rows) {
    if (row.hash === undefined && began) {
      return broken(entries, { ...placeOf(row), problem: 'no hash, after the chain began: inserted, or its hash removed' });
    }
    if (row.hash === undefined) {
      unchained++;
      continue;
    }
    began = true;
    const problem = linkProblem(row, prev, retention);
    if (problem) return broken(entries, { ...placeOf(row), problem });
    prev = { hash: row.hash, seq: row.seq ?? 0, at: row.at };
    entries++;
  }
  const head = headProblem(item, prev, retention);
  if (head) return broken(entries, head);
  return { verified: true, entries, ...(unchained > 0 && { unchained }) };
}

/** A verdict naming its first broken entry. */
function broken(entries: number, firstBroken: ChainProblem): ChainCheck {
  return { verified: false, entries, firstBroken };
}

/** How a verdict names an entry. */
function placeOf(row: LifecycleEvent): Omit<ChainProblem, 'problem'> {
  return { discrepancyId: row.discrepancyId, ...(row.seq !== undefined && { seq: row.seq }), at: row.at, type: row.type };
}
