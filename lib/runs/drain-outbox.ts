import type { Discrepancy } from '../domain/discrepancy';
import { AlertNotPublishedError } from '../errors';
import { stormAlertId } from '../policy/owed-alert';
import type { AlertOutbox, AlertPublisher, IdentifiedAlert, OwedRow } from '../ports/alerts';
import type { Clock } from '../ports/clock';
import { keepLargest } from './shard-tally';

/** How long a drainer holds a claimed alert: far more than one publish takes, short enough for a crashed drainer's rows to come back soon. */
const CLAIM_MS = 60_000;
/** Publishes in a row that did not go out before a drain stops: SNS is down, the rest stays owed for the next one. */
const FAILURES_BEFORE_STOP = 3;

/** What one drain did: published (and cleared), refused, of unknown outcome, replaced by a storm summary, and still owed after it. */
export interface DrainResult {
  published: number;
  rejected: number;
  uncertain: number;
  replacedByStorm: number;
  owed: number;
}

/** What to publish of the owed rows, and the storm summaries that replace some runs' opened alerts. */
interface DrainPlan {
  publish: OwedRow[];
  storms: { storm: IdentifiedAlert; replaced: string[] }[];
}

/**
 * Publishes what the outbox owes, each alert once: claims it (another drainer holding it is left to
 * it), publishes it, and clears it only once published; refused, it stays owed; with no answer, it
 * stays owed marked `uncertain` and goes out again later with the same `alertId`. A run's opened
 * alerts above `stormThreshold` are replaced by one `storm#<runId>` summary, recorded before they are
 * cleared so that a drain stopped half-way never sends them too. Never throws for SNS: what did not go
 * out is counted and stays owed.
 */
export async function drainOutbox(
  outbox: AlertOutbox,
  alerts: AlertPublisher,
  options: { holder: string; clock: Clock; stormThreshold: number },
): Promise<DrainResult> {
  const rows = await outbox.owed();
  const plan = planDrain(rows, options.stormThreshold);
  const result: DrainResult = { published: 0, rejected: 0, uncertain: 0, replacedByStorm: 0, owed: rows.length };
  for (const { storm, replaced } of plan.storms) {
    await outbox.replaceByStorm(storm, replaced);
    result.replacedByStorm += replaced.length;
    result.owed -= replaced.length;
  }
  let failuresInARow = 0;
  for (const row of plan.publish) {
    const now = options.clock.now().getTime();
    if (!(await outbox.claim(row, options.holder, now, now + CLAIM_MS))) continue;
    const outcome = await publishOne(alerts, row);
    if (outcome === 'published') {
      await outbox.cleared(row.alertId);
      result.published++;
      result.owed--;
      failuresInARow = 0;
      continue;
    }
    await outbox.release(row.alertId, options.holder, outcome === 'unknown');
    result[outcome === 'unknown' ? 'uncertain' : 'rejected']++;
    if (++failuresInARow === FAILURES_BEFORE_STOP) break;
  }
  return result;
}

/**
 * Which rows to publish: every row but the opened alerts of a run with a storm summary, decided
 * before (its `storm#<runId>` row is owed) or now (more than `stormThreshold` of them are owed).
 */
export function planDrain(rows: readonly OwedRow[], stormThreshold: number): DrainPlan {
  const ids = new Set(rows.map((row) => row.alertId));
  const openedByRun = new Map<string, OwedRow[]>();
  for (const row of rows) {
    if (row.alert.type !== 'discrepancy-opened') continue;
    openedByRun.set(row.runId, [...(openedByRun.get(row.runId) ?? []), row]);
  }
  const replaced = new Set<string>();
  const storms: DrainPlan['storms'] = [];
  const newStorms: OwedRow[] = [];
  for (const [runId, opened] of openedByRun) {
    const decided = ids.has(stormAlertId(runId));
    if (!decided && opened.length <= stormThreshold) continue;
    for (const row of opened) replaced.add(row.alertId);
    const storm = stormOf(runId, opened);
    storms.push({ storm, replaced: opened.map((row) => row.alertId) });
    if (!decided) newStorms.push({ ...storm, uncertain: false });
  }
  return { publish: [...rows.filter((row) => !replaced.has(row.alertId)), ...newStorms], storms };
}

/** The storm summary of a run's opened alerts: their number and the ten largest by root-asset value. */
function stormOf(runId: string, opened: readonly OwedRow[]): IdentifiedAlert {
  const discrepancies = new Map<string, Discrepancy>();
  for (const { alert } of opened) if (alert.type === 'discrepancy-opened') discrepancies.set(alert.discrepancy.id, alert.discrepancy);
  const largest = keepLargest([...discrepancies.values()].map((d) => ({ id: d.id, value: d.differenceInRoot ?? '0' })));
  return {
    alertId: stormAlertId(runId),
    runId,
    alert: {
      type: 'discrepancy-storm',
      runId,
      count: opened.length,
      largest: largest.flatMap(({ id }) => discrepancies.get(id) ?? []),
    },
  };
}

/** Publishes one owed alert: whether it went out, SNS refused it, or its fate is unknown. */
async function publishOne(alerts: AlertPublisher, row: OwedRow): Promise<'published' | 'rejected' | 'unknown'> {
  try {
    await send(alerts, row);
    return 'published';
  } catch (error) {
    // Anything but a refusal SNS answered may have gone out: kept owed, and marked so.
    return error instanceof AlertNotPublishedError && error.outcome === 'rejected' ? 'rejected' : 'unknown';
  }
}

/** The publisher's call for an alert's type. */
async function send(alerts: AlertPublisher, { alertId, alert }: IdentifiedAlert): Promise<void> {
  switch (alert.type) {
    case 'discrepancy-opened':
      return alerts.discrepancyOpened(alert.discrepancy, alertId);
    case 'discrepancy-escalated':
      return alerts.discrepancyEscalated(alert.discrepancy, alert.previous, alertId);
    case 'discrepancy-resolved':
      return alerts.discrepancyResolved(alert.discrepancy, alertId);
    case 'discrepancy-storm':
      return alerts.discrepancyStorm({ runId: alert.runId, count: alert.count, largest: alert.largest }, alertId);
    case 'source-unhealthy':
      return alerts.sourceUnhealthy(alert.problem, alertId);
    case 'source-recovered':
      return alerts.sourceRecovered(alert.recovery, alertId);
  }
}
