import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { DiscrepancyState, LifecycleEvent } from '../../lib/domain/lifecycle';
import type { AnalystAction } from './lambda';
import type { Delivered, World } from './world';

/** What broke in one world, by invariant: each entry names the discrepancy or alert and what was wrong. */
export interface Violations {
  /** A discrepancy the sandbox did not plant (a fault turned into money), or planted figures recorded wrong. */
  false: string[];
  /** A planted discrepancy never recorded or wrongly resolved, an alert owed and never delivered, an analyst's action not kept. */
  lost: string[];
  /** An alert delivered more often than owed (a publish with an unknown outcome may deliver once more). */
  duplicate: string[];
  /** An invocation that failed with no fault injected into it, or a healthy run after the faults that did not complete. */
  crashes: string[];
}

/** A discrepancy's key as the sandbox's manifest plants it (`check:userId:asset`). */
const keyOf = (d: { check: string; userId: string; asset: string }) => `${d.check}:${d.userId}:${d.asset}`;

/** Every stored discrepancy item (all statuses). */
async function storedItems(world: World): Promise<DiscrepancyState[]> {
  const items: DiscrepancyState[] = [];
  let ExclusiveStartKey: Record<string, unknown> | undefined;
  do {
    const page = await world.documents.send(new ScanCommand({ TableName: world.tables.discrepancies, ExclusiveStartKey }));
    items.push(...((page.Items ?? []) as DiscrepancyState[]));
    ExclusiveStartKey = page.LastEvaluatedKey;
  } while (ExclusiveStartKey);
  return items.sort((a, b) => a.id.localeCompare(b.id));
}

/** The alerts each history row owes: one `opened` per opening, one `resolved` per run's resolution, one `escalated` per escalation. */
function owedAlerts(history: readonly LifecycleEvent[]): Map<string, number> {
  const owed = new Map<string, number>();
  const add = (eventType: string) => owed.set(eventType, (owed.get(eventType) ?? 0) + 1);
  for (const event of history) {
    if (event.type === 'opened' || event.type === 'reopened') add('discrepancy-opened');
    if (event.type === 'escalated') add('discrepancy-escalated');
    if (event.type === 'resolved' && event.by === 'system') add('discrepancy-resolved');
  }
  return owed;
}

/** Delivered alerts counted by `discrepancyId:eventType`. */
function countDelivered(delivered: readonly Delivered[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const alert of delivered) {
    const key = `${alert.discrepancyId}:${alert.eventType}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
}

/** Every alert owed by `item`'s history delivered, none more often than owed (but for a publish whose outcome was unknown). */
function checkAlerts(
  item: DiscrepancyState,
  history: readonly LifecycleEvent[],
  world: World,
  delivered: Map<string, number>,
  found: Violations,
) {
  const owed = owedAlerts(history);
  const manualResolutions = history.filter((event) => event.type === 'resolved' && event.by !== 'system').length;
  for (const eventType of ['discrepancy-opened', 'discrepancy-escalated', 'discrepancy-resolved']) {
    const key = `${item.id}:${eventType}`;
    const want = owed.get(eventType) ?? 0;
    const got = delivered.get(key) ?? 0;
    // A person's resolution may be alerted (once the outbox carries it) but is not owed today.
    const allowed = want + (eventType === 'discrepancy-resolved' ? manualResolutions : 0) + (world.unknownOutcome.has(key) ? 1 : 0);
    if (got < want) found.lost.push(`alert ${eventType} of ${keyOf(item)} owed ${want}, delivered ${got}`);
    if (got > allowed) found.duplicate.push(`alert ${eventType} of ${keyOf(item)} delivered ${got}, owed ${want}`);
  }
}

/** No alert id delivered twice, but one whose publish had an unknown outcome (delivered again, with the same id). */
function checkAlertIds(world: World, found: Violations) {
  const byId = new Map<string, number>();
  for (const { alertId } of world.delivered()) byId.set(alertId, (byId.get(alertId) ?? 0) + 1);
  for (const [alertId, count] of byId) {
    if (!alertId) found.duplicate.push(`an alert delivered ${count}× with no alertId`);
    else if (count > (world.unknownOutcome.has(alertId) ? 2 : 1)) found.duplicate.push(`alert id ${alertId} delivered ${count}×`);
  }
}

/** The alert ids the outbox still owes: none, once a healthy run has drained it. */
async function stillOwed(world: World): Promise<string[]> {
  const page = await world.documents.send(new ScanCommand({ TableName: world.tables.outbox, ConsistentRead: true }));
  return (page.Items ?? []).map((item) => String(item.alertId)).sort();
}

/** The item agrees with its history's last row, and every action the analyst was told succeeded is in the history. */
function checkHistory(item: DiscrepancyState, history: readonly LifecycleEvent[], actions: readonly AnalystAction[], found: Violations) {
  const last = history.at(-1);
  if ((last?.type === 'resolved') !== (item.status === 'resolved'))
    found.lost.push(`${keyOf(item)} is ${item.status} but its history ends ${last?.type ?? 'empty'}`);
  for (const action of actions.filter((a) => a.id === item.id)) {
    // A high or critical discrepancy's `resolve` is a proposal (maker-checker): a second person resolves it.
    const types = action.action === 'acknowledge' ? ['acknowledged'] : ['resolved', 'resolution-proposed'];
    if (!history.some((event) => types.includes(event.type) && event.by === action.by && event.at === action.at))
      found.lost.push(`analyst's ${action.action} of ${keyOf(item)} at ${action.at} has no history row`);
  }
}

/**
 * Checks a world after its runs against the sandbox's ground truth (its manifest, venues left out:
 * no venue is mapped here): the discrepancies recorded are exactly those planted, with their
 * figures; every alert owed delivered once; every analyst action kept with its history. Answers the
 * violations and a fingerprint of the outcome (for the same-seed-same-result check).
 */
export async function checkWorld(
  world: World,
  actions: readonly AnalystAction[],
): Promise<{ violations: Violations; fingerprint: string }> {
  const found: Violations = { false: [], lost: [], duplicate: [], crashes: [] };
  const planted = new Map(world.sandbox.book.manifest.planted.filter((p) => !p.check.startsWith('venue-')).map((p) => [keyOf(p), p]));
  const items = await storedItems(world);
  const stored = new Set(items.map(keyOf));
  const delivered = countDelivered(world.delivered());
  const actedOn = new Set(actions.map((a) => a.id));
  for (const item of items) {
    const plant = planted.get(keyOf(item));
    if (!plant) found.false.push(`${keyOf(item)} recorded (${item.status}, difference ${item.difference}) but never planted`);
    else if (item.status !== 'resolved' && item.difference !== plant.difference)
      found.false.push(`${keyOf(item)} recorded with difference ${item.difference}, planted ${plant.difference}`);
    else if (item.status === 'resolved' && !actedOn.has(item.id))
      found.lost.push(`${keyOf(item)} is planted but resolved by ${item.resolvedBy}`);
    const history = await world.store.history(item);
    checkAlerts(item, history, world, delivered, found);
    checkHistory(item, history, actions, found);
  }
  for (const key of planted.keys()) if (!stored.has(key)) found.lost.push(`${key} planted but never recorded`);
  checkAlertIds(world, found);
  for (const alertId of await stillOwed(world)) found.lost.push(`alert ${alertId} still owed after the last run`);
  const ids = new Set(items.map((item) => item.id));
  for (const [key, count] of delivered) {
    const id = key.slice(0, key.lastIndexOf(':'));
    if (key.includes(':discrepancy-') && !ids.has(id)) found.false.push(`alert ${key} delivered ${count}× for no stored discrepancy`);
  }
  const fingerprint = JSON.stringify({
    items: items.map((item) => `${keyOf(item)}=${item.status}/${item.difference}/v${item.version}`),
    alerts: [...delivered].sort(([a], [b]) => a.localeCompare(b)),
  });
  return { violations: found, fingerprint };
}
