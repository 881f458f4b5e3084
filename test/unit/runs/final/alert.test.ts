import { describe, expect, it } from 'vitest';
import type { SourceHealth } from '../../../../lib/ports/run-summary';
import type { StoredSourceState } from '../../../../lib/ports/store';
import { alertRun, sourceHealthAlert } from '../../../../lib/runs/final/alert';
import { nothingYet } from '../../../../lib/runs/final/summarise';
import { sourceTransition } from '../../../../lib/runs/source-transitions';
import { InMemoryStore, RecordingAlerts } from '../../../fakes/in-memory-ports';
import { runDeps } from '../../../support/run-deps';
import { planOf } from './fixtures';

const since = '2026-11-21T00:00:00.000Z';
const at = '2026-11-22T00:00:00.000Z';
const of = { source: 'backoffice' as const, runId: 'r2', at };
/** What `saveSourceHealth` asks for: the alert the transition from `previous` to `entry` owes. */
const alertFor = (previous: StoredSourceState | undefined, entry: SourceHealth) =>
  sourceHealthAlert(of, previous, entry, sourceTransition(previous, entry, at));

describe('sourceHealthAlert', () => {
  it('owes a problem when a source starts failing, with its failures, first error and failing endpoints', () => {
    const alert = alertFor(undefined, { status: 'degraded', failures: 2, firstError: 'HTTP 503', failingEndpoints: ['balances'] });
    expect(alert).toEqual({
      alertId: 'source#backoffice#unhealthy#r2',
      runId: 'r2',
      alert: {
        type: 'source-unhealthy',
        problem: { source: 'backoffice', runId: 'r2', failures: 2, firstError: 'HTTP 503', drift: [], endpoints: ['balances'] },
      },
    });
  });

  it('owes a drift problem (no failures) when a source sends fields its schema does not know', () => {
    const drift = [{ endpoint: 'balances', fields: ['bonus'] }];
    const alert = alertFor({ status: 'ok', drift: [], since }, { status: 'ok', failures: 0, drift });
    expect(alert).toMatchObject({
      alertId: 'source#backoffice#drifted#r2',
      alert: { type: 'source-unhealthy', problem: { failures: 0, firstError: '', drift, endpoints: [] } },
    });
  });

  it('owes a recovery naming since when the source failed and the endpoints that did', () => {
    const previous: StoredSourceState = { status: 'failing', drift: [], since, failingEndpoints: ['balances'] };
    const alert = alertFor(previous, { status: 'ok', failures: 0, answeredEndpoints: ['balances'] });
    expect(alert).toEqual({
      alertId: 'source#backoffice#recovered#r2',
      runId: 'r2',
      alert: { type: 'source-recovered', recovery: { source: 'backoffice', runId: 'r2', failingSince: since, endpoints: ['balances'] } },
    });
  });

  it('owes nothing while a source keeps failing or stays healthy', () => {
    const failing: StoredSourceState = { status: 'failing', drift: [], since, failingEndpoints: ['*'] };
    expect(alertFor(failing, { status: 'degraded', failures: 1 })).toBeUndefined();
    expect(alertFor({ status: 'ok', drift: [], since }, { status: 'ok', failures: 0 })).toBeUndefined();
  });
});

describe('alertRun', () => {
  function setup() {
    const store = new InMemoryStore();
    const alerts = new RecordingAlerts();
    const deps = runDeps({
      reporting: {} as never,
      backOffice: {} as never,
      store,
      outbox: store,
      alerts,
      clock: { now: () => new Date(at) },
    });
    return { store, alerts, deps };
  }
  const summaryWith = (sources: ReturnType<typeof nothingYet>['sources']) => ({
    ...nothingYet(planOf({ runId: 'r2' }), 'partial'),
    finishedAt: at,
    sources,
  });

  it("stores a source's first state, and a change with the alert it owes, then publishes what is owed", async () => {
    const { store, alerts, deps } = setup();
    store.sources.reporting = { status: 'ok', drift: [], since };
    const sent = await alertRun(
      summaryWith({ reporting: { status: 'ok', failures: 0 }, backoffice: { status: 'degraded', failures: 1 } }),
      deps,
    );
    expect(sent).toEqual({ published: 1, owed: 0 });
    expect(alerts.sourceProblems).toEqual([expect.objectContaining({ source: 'backoffice', runId: 'r2', failures: 1 })]);
    expect(store.sources.backoffice).toMatchObject({ status: 'failing', since: at });
    // Reporting was stored and did not change: its state stays as it was (not rewritten at this run's time).
    expect(store.sources.reporting).toEqual({ status: 'ok', drift: [], since });
  });

  it('publishes what earlier runs still owe, and counts what SNS would not take as owed', async () => {
    const { store, alerts, deps } = setup();
    await store.saveSourceState(
      'indx',
      { status: 'failing', drift: [], since },
      sourceHealthAlert(
        { source: 'indx', runId: 'r1', at: since },
        undefined,
        { status: 'degraded', failures: 1 },
        sourceTransition(undefined, { status: 'degraded', failures: 1 }, since),
      ),
    );
    alerts.sourceUnhealthy = () => Promise.reject(new Error('SNS down'));
    expect(await alertRun(summaryWith({}), deps)).toEqual({ published: 0, owed: 1 });
  });
});
