import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Amount } from '../../lib/domain/money';
import type { BackOfficePort } from '../../lib/ports/upstream';
import { reconcile } from '../../lib/runs/reconcile';
import { Secret } from '../../lib/secret';
import { backOfficeAdapter } from '../../lib/sources/backoffice/backoffice-adapter';
import { BackOfficeClient } from '../../lib/sources/backoffice/backoffice-client';
import { JsonClient } from '../../lib/sources/http/json-client';
import { reportingAdapter } from '../../lib/sources/reporting/reporting-adapter';
import { ReportingClient } from '../../lib/sources/reporting/reporting-client';
import { SANDBOX_BACKOFFICE_TOKEN, SANDBOX_REPORTING_TOKEN } from '../../sandbox/credentials';
import { type RunningSandbox, startSandbox } from '../../sandbox/server';
import { RecordingAlerts } from '../fakes/in-memory-ports';
import { freshTables, runStore } from '../support/local-services';
import { expectExactlyPlanted } from '../support/planted-items';
import { runDeps } from '../support/run-deps';

describe("the back office's own checks over the sandbox's HTTP (amount-split on GET …/balance/, root-asset on totalFundsInRootAsset)", () => {
  let sandbox: RunningSandbox;
  let client: BackOfficeClient;
  let port: BackOfficePort;
  beforeAll(async () => {
    sandbox = await startSandbox({ port: 0, users: 40, seed: 7 });
    const http = new JsonClient({ source: 'backoffice', baseUrl: sandbox.url, concurrency: 4, timeoutMs: 10_000, retries: 0 });
    client = new BackOfficeClient(http, new Secret(SANDBOX_BACKOFFICE_TOKEN), 100);
    port = backOfficeAdapter(client, 100);
  });
  afterAll(async () => sandbox?.close());

  it('finds exactly the planted amount-split and root-asset discrepancies, the back-office ones among them, and counts what could not run as unknown', async () => {
    const { tables, documents } = await freshTables();
    const reportingHttp = new JsonClient({ source: 'reporting', baseUrl: sandbox.url, concurrency: 4, timeoutMs: 10_000, retries: 0 });
    const summary = await reconcile(
      {
        runId: 'bo-checks',
        trigger: { type: 'direct' },
        asOf: new Date(sandbox.book.asOf),
        scope: { checks: ['amount-split', 'root-asset'] },
      },
      runDeps({
        reporting: reportingAdapter(new ReportingClient(reportingHttp, new Secret(SANDBOX_REPORTING_TOKEN), 100)),
        backOffice: port,
        ...runStore(documents, tables),
        alerts: new RecordingAlerts(),
        clock: { now: () => new Date() },
        userBatchSize: 15,
        backOfficeConcurrency: 4,
      }),
    );
    expect(summary.status).toBe('complete');

    const planted = sandbox.book.manifest.planted.filter((d) => d.check === 'amount-split' || d.check === 'root-asset');
    expect(planted.filter((d) => d.field === 'backoffice.amount')).toHaveLength(1);
    expect(planted.filter((d) => d.field === 'totalFundsInRootAsset').length).toBeGreaterThanOrEqual(1);
    const { Items = [] } = await documents.send(new ScanCommand({ TableName: tables.discrepancies }));
    expectExactlyPlanted(Items, planted);
    // Every back-office split was read and judged; the only per-user totals that could not run are the users it does not know.
    expect(summary.checks['amount-split'].unknown).toBe(0);
    expect(summary.checks['root-asset'].unknown).toBe(sandbox.book.overrides.unknownToBackOffice.size);
    expect(sandbox.book.overrides.unknownToBackOffice.size).toBeGreaterThan(0);
  });

  it('reads GET …/balance/ as available funds per asset, and its 404 as a user the back office does not know', async () => {
    const [unknown] = [...sandbox.book.overrides.unknownToBackOffice];
    const known = sandbox.book.positions.find((p) => p.inBackOffice && !sandbox.book.overrides.unknownToBackOffice.has(p.userId));
    if (!unknown || !known) throw new Error('the book has no user unknown to the back office, or no known one');
    expect(await port.available(unknown)).toEqual({ userId: unknown, found: false, message: 'GET user/balance answered HTTP 404' });
    const answer = await port.available(known.userId);
    expect(answer.found && answer.available.get(known.asset)?.toString()).toBe(
      Amount.of(known.backOffice.available, known.scale).toString(),
    );
  });

  it('gets totalFundsInRootAsset only without an asset filter, as the document says', async () => {
    const userIds = sandbox.book.users
      .map((user) => user.userId)
      .filter((id) => !sandbox.book.overrides.unknownToBackOffice.has(id))
      .slice(0, 5);
    const totals = async (assets?: string[]) =>
      (await client.balances(userIds, assets)).map((entry) => (entry.found ? entry.user.totalFundsInRootAsset?.toString() : 'not found'));
    expect((await totals()).every((total) => total !== undefined && total !== 'not found')).toBe(true);
    expect(await totals(sandbox.book.assets.map((asset) => asset.id))).toEqual(userIds.map(() => undefined));
  });
});
