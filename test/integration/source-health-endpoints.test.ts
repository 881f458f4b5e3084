import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../lib/config';
import { reconcile } from '../../lib/runs/reconcile';
import { wire } from '../../lib/wiring';
import { type RunningSandbox, startSandbox } from '../../sandbox/server';
import { localEnvironment } from '../support/local-environment';
import { alertsTopic, freshTables } from '../support/local-services';
import { runDeps } from '../support/run-deps';

describe('source health per endpoint', () => {
  let sandbox: RunningSandbox;
  let topic: Awaited<ReturnType<typeof alertsTopic>>;
  beforeAll(async () => {
    sandbox = await startSandbox({ port: 0, users: 20, seed: 16 });
    topic = await alertsTopic();
  });
  afterAll(async () => {
    await sandbox?.close();
    await topic?.stop();
  });

  it('keeps a source failing while its failing endpoint goes unread, and names the endpoint when it recovers', async () => {
    const tables = await freshTables();
    const { deps } = wire(
      loadConfig({ ...localEnvironment(sandbox, tables, topic), HTTP_TIMEOUT_MS: '300', HTTP_RETRIES: '1', PAGE_SIZE: '4' }),
    );
    const asOf = new Date(sandbox.book.asOf);
    const health = () =>
      topic.delivered().filter((alert) => ['source-unhealthy', 'source-recovered'].includes(alert.attributes.eventType ?? ''));

    sandbox.server.sandboxFaults.set([{ target: 'reporting', endpoint: 'users/balances', mode: 'status', status: 503 }]);
    try {
      await reconcile({ runId: 'r-1', trigger: { type: 'direct' }, asOf }, runDeps(deps));
    } finally {
      sandbox.server.sandboxFaults.clear();
    }
    expect(health().map((alert) => alert.attributes.eventType)).toEqual(['source-unhealthy']);
    expect(health()[0]?.message).toContain('users/balances');

    // A run scoped to a user not in the book reads the listing and the assets, never a user's balances.
    const scoped = await reconcile({ runId: 'r-2', trigger: { type: 'direct' }, asOf, scope: { users: ['nobody'] } }, runDeps(deps));
    expect(scoped.sources.reporting?.failures).toBe(0);
    expect(
      health().map((alert) => alert.attributes.eventType),
      'no recovery declared for an endpoint not read',
    ).toEqual(['source-unhealthy']);

    await reconcile({ runId: 'r-3', trigger: { type: 'direct' }, asOf }, runDeps(deps));
    const recovered = health().slice(1);
    expect(recovered.map((alert) => alert.attributes.eventType)).toEqual(['source-recovered']);
    expect(recovered[0]?.message).toContain('reporting:users/balances');
  });
});
