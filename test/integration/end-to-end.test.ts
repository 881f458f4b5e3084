import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { Context } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunSummary } from '../../lib/runs/run-summary';
import {
  SANDBOX_BACKOFFICE_TOKEN,
  SANDBOX_INDX_LOGIN,
  SANDBOX_INDX_PASSWORD,
  SANDBOX_MULTIMARKETS_COMPANY_ID,
  SANDBOX_REPORTING_TOKEN,
} from '../../sandbox/credentials';
import { type RunningSandbox, startSandbox } from '../../sandbox/server';
import { writeVenueAccountsFile } from '../../scripts/local/venue-accounts-of-book';
import { alertsTopic, freshTables } from '../support/local-services';

const context = { awsRequestId: 'e2e', functionName: 'runDirect', getRemainingTimeInMillis: () => 900_000 } as unknown as Context;
const keyOf = (d: { check: string; userId: string; asset: string }) => `${d.check}:${d.userId}:${d.asset}`;

describe('a whole reconciliation run (sandbox over HTTP, DynamoDB Local, SNS emulator)', () => {
  let sandbox: RunningSandbox;
  let topic: Awaited<ReturnType<typeof alertsTopic>>;
  let tables: Awaited<ReturnType<typeof freshTables>>;
  let invoke: (event: unknown) => Promise<RunSummary>;

  beforeAll(async () => {
    sandbox = await startSandbox({ port: 0, users: 40, seed: 7 });
    const venueAccountsFile = join(mkdtempSync(join(tmpdir(), 'e2e-')), 'venue-accounts.json');
    writeVenueAccountsFile(sandbox.book, venueAccountsFile);
    topic = await alertsTopic();
    tables = await freshTables();
    Object.assign(process.env, {
      BACKOFFICE_URL: sandbox.url,
      BACKOFFICE_TOKEN: SANDBOX_BACKOFFICE_TOKEN,
      REPORTING_TOKEN: SANDBOX_REPORTING_TOKEN,
      MULTIMARKETS_URL: sandbox.url,
      MULTIMARKETS_COMPANY_ID: SANDBOX_MULTIMARKETS_COMPANY_ID,
      MULTIMARKETS_RATE_PER_MINUTE: '100',
      INDX_URL: sandbox.url,
      INDX_LOGIN: SANDBOX_INDX_LOGIN,
      INDX_PASSWORD: SANDBOX_INDX_PASSWORD,
      INDX_MIN_INTERVAL_MS: '1000',
      VENUE_ACCOUNTS_FILE: venueAccountsFile,
      DISCREPANCIES_TABLE: tables.tables.discrepancies,
      RUNS_TABLE: tables.tables.runs,
      ALERTS_TOPIC_ARN: topic.topicArn,
      DYNAMODB_ENDPOINT: tables.endpoint,
      SNS_ENDPOINT: topic.endpoint,
      PAGE_SIZE: '25',
      USER_BATCH_SIZE: '20',
      LOG_LEVEL: 'warn',
    });
    const { handler } = await import('../../functions/run-direct');
    invoke = (event) => handler(event as never, context) as Promise<RunSummary>;
  });
  afterAll(async () => {
    await sandbox?.close();
    await topic?.stop();
  });

  it('records and alerts exactly the planted discrepancies, then alerts nothing on a second run', async () => {
    const planted = sandbox.book.manifest.planted;
    expect(planted.length).toBeGreaterThanOrEqual(5);

    const first = await invoke({ ...JSON.parse(readFileSync('events/direct-run.json', 'utf8')), asOf: sandbox.book.asOf });
    expect(first.status).toBe('complete');
    expect(first.users).toBe(40);

    const { Items = [] } = await tables.documents.send(new ScanCommand({ TableName: tables.tables.discrepancies }));
    expect(Items.map((item) => keyOf(item as never)).sort()).toEqual(planted.map(keyOf).sort());
    for (const plant of planted) {
      const item = Items.find((candidate) => keyOf(candidate as never) === keyOf(plant));
      expect(item, keyOf(plant)).toMatchObject({
        expected: plant.expected,
        actual: plant.actual,
        difference: plant.difference,
        field: plant.field,
      });
    }
    const alerted = topic.delivered().map((alert) => alert.attributes.discrepancyId);
    expect(alerted.sort()).toEqual(planted.map(keyOf).sort());

    const second = await invoke({ requestedBy: 'e2e', asOf: sandbox.book.asOf });
    expect(second.discrepancies).toMatchObject({ total: planted.length, opened: 0 });
    expect(topic.delivered()).toHaveLength(planted.length);
  });

  it('refuses a malformed invoke payload, naming the field', async () => {
    await expect(invoke({ requestedBy: 42 })).rejects.toThrow(/requestedBy/);
  });
});
