import { readFileSync } from 'node:fs';
import type { APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { observe } from '../../lib/domain/lifecycle';
import type { RunSummary } from '../../lib/ports/run-summary';
import { DynamoDbDiscrepancyStore } from '../../lib/store/dynamodb-discrepancy-store';
import { SANDBOX_BACKOFFICE_TOKEN, SANDBOX_REPORTING_TOKEN } from '../../sandbox/credentials';
import { type RunningSandbox, startSandbox } from '../../sandbox/server';
import { fakeSsm } from '../support/fake-ssm';
import { type HttpsIssuer, httpsIssuer } from '../support/https-issuer';
import { alertsTopic, freshTables } from '../support/local-services';
import { negativeAvailable } from '../support/negative-available';

type Handler = (event: never, context: Context) => Promise<unknown>;
const context = { awsRequestId: 'secrets-test', getRemainingTimeInMillis: () => 900_000 } as unknown as Context;
const sample = (name: string): unknown => JSON.parse(readFileSync(`events/${name}.json`, 'utf8'));

/** Where the deployed `prod` stage keeps the upstream tokens (docs/deploy.md). */
const PARAMETERS = {
  BACKOFFICE_TOKEN_PARAMETER: '/balance-recon/prod/backoffice-token',
  REPORTING_TOKEN_PARAMETER: '/balance-recon/prod/reporting-token',
};

/** Makes `env` the whole of what the next imported handler sees (as a function's configuration is), on fresh modules. */
function useEnvironment(env: Record<string, string>): void {
  vi.unstubAllEnvs();
  for (const name of ['BACKOFFICE_URL', 'BACKOFFICE_TOKEN', 'REPORTING_TOKEN', 'INDX_LOGIN', 'INDX_PASSWORD', 'IS_OFFLINE']) {
    vi.stubEnv(name, undefined);
  }
  for (const [name, value] of Object.entries(env)) vi.stubEnv(name, value);
  vi.resetModules();
}

/** A sample HTTP event with the analyst's bearer token (the functions verify it themselves). */
function withToken(event: unknown, token: string): unknown {
  const http = event as { headers?: Record<string, string> };
  return { ...http, headers: { ...http.headers, authorization: `Bearer ${token}` } };
}

/** The sample events' discrepancy, stored open, so the sample GET, list and acknowledge events find it. */
const sampleDiscrepancy = () => negativeAvailable({ userId: '10e25c72-9195-40d1-92fd-fb46f21cece5' });

describe('credentials only where they are needed, with the prod stage’s shape (SSM names, no token in the environment)', () => {
  let sandbox: RunningSandbox;
  let topic: Awaited<ReturnType<typeof alertsTopic>>;
  let ssm: Awaited<ReturnType<typeof fakeSsm>>;
  /** The organisation's issuer: each HTTP function verifies the analyst's token against its JWKS itself. */
  let issuer: HttpsIssuer;
  let analystToken: string;
  /** What serverless.yml gives every function (provider.environment) and the HTTP functions (custom.httpEnvironment). */
  let everyFunction: Record<string, string>;
  /** What it gives the run functions only (custom.runEnvironment), as packaged for prod: tokens empty, their SSM names set. */
  let runFunctions: Record<string, string>;

  beforeAll(async () => {
    sandbox = await startSandbox({ port: 0, users: 12, seed: 7 });
    topic = await alertsTopic();
    issuer = await httpsIssuer();
    analystToken = await issuer.sign({ sub: 'analyst@example.com', aud: 'balance-recon', 'cognito:groups': ['compliance'] });
    ssm = await fakeSsm({
      [PARAMETERS.BACKOFFICE_TOKEN_PARAMETER]: SANDBOX_BACKOFFICE_TOKEN,
      [PARAMETERS.REPORTING_TOKEN_PARAMETER]: SANDBOX_REPORTING_TOKEN,
    });
    const { endpoint, tables, documents } = await freshTables();
    everyFunction = {
      DISCREPANCIES_TABLE: tables.discrepancies,
      RUNS_TABLE: tables.runs,
      HISTORY_TABLE: tables.history,
      TOTALS_TABLE: tables.totals,
      HISTORY_RETENTION_DAYS: '400',
      DYNAMODB_ENDPOINT: endpoint,
      LOG_LEVEL: 'error',
      AUTH_DEV_KEY: '',
      AUTH_ISSUER: '',
      AUTH_AUDIENCE: '',
      AUTH_ISSUER_URL: issuer.issuerUrl,
      AUTH_JWT_AUDIENCE: 'balance-recon',
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
      SSM_ENDPOINT: ssm.endpoint,
    };
    runFunctions = {
      BACKOFFICE_URL: sandbox.url,
      BACKOFFICE_TOKEN: '',
      REPORTING_TOKEN: '',
      ...PARAMETERS,
      STAGE: 'prod',
      ALERTS_TOPIC_ARN: topic.topicArn,
      OUTBOX_TABLE: tables.outbox,
      SNS_ENDPOINT: topic.endpoint,
    };
    const store = new DynamoDbDiscrepancyStore(documents, tables);
    const seeded = observe(undefined, sampleDiscrepancy());
    if (seeded === 'duplicate') throw new Error('unexpected duplicate');
    await store.save(
      seeded.next,
      { discrepancyId: seeded.next.id, type: 'opened', at: seeded.next.lastSeenAt, runId: 'r-seed' },
      undefined,
    );
    await store.queueRun({
      runId: 'r-20261122T000000Z-00000000',
      trigger: { type: 'manual', by: 'analyst@example.com' },
      asOf: '2026-11-22T00:00:00.000Z',
      startedAt: '2026-11-22T00:00:00.000Z',
    });
  });
  afterAll(async () => {
    vi.unstubAllEnvs();
    await sandbox?.close();
    await topic?.stop();
    await ssm?.stop();
    await issuer?.stop();
  });

  /** Each compliance handler on its sample event (API Gateway's verified claims), by name. */
  async function complianceAnswers(action: 'acknowledge' | 'resolve'): Promise<Record<string, number>> {
    const calls = [
      ['get-run', 'get-run'],
      ['list-discrepancies', 'list-discrepancies'],
      ['get-discrepancy', 'get-discrepancy'],
      ['act-on-discrepancy', `${action}-discrepancy`],
    ] as const;
    const answers: Record<string, number> = {};
    for (const [fn, event] of calls) {
      const { handler } = (await import(`../../functions/${fn}.ts`)) as { handler: Handler };
      const response = (await handler(withToken(sample(event), analystToken) as never, context)) as APIGatewayProxyStructuredResultV2;
      answers[fn] = response.statusCode as number;
    }
    return answers;
  }

  const ALL_200 = { 'get-run': 200, 'list-discrepancies': 200, 'get-discrepancy': 200, 'act-on-discrepancy': 200 };

  it('runs each compliance handler with only what it is given (no upstream URL, no credential, no SSM name): 200, and no SSM read', async () => {
    useEnvironment(everyFunction);
    expect(await complianceAnswers('acknowledge')).toEqual(ALL_200);
    expect(ssm.requests).toEqual([]);
  });

  it('answers 200 as well where the credentials’ SSM names are in the environment but no token is (the old shared environment)', async () => {
    useEnvironment({ ...everyFunction, ...runFunctions });
    expect(await complianceAnswers('resolve')).toEqual(ALL_200);
    expect(ssm.requests).toEqual([]);
  });

  it('gives runDirect its tokens from SSM by the names in its environment, decrypted, and the run reads both upstreams with them', async () => {
    useEnvironment({ ...everyFunction, ...runFunctions });
    const { handler } = (await import('../../functions/run-direct')) as { handler: Handler };
    const summary = (await handler({ requestedBy: 'secrets-test', asOf: sandbox.book.asOf, dryRun: true } as never, context)) as RunSummary;
    expect(ssm.requests).toEqual([
      {
        target: 'AmazonSSM.GetParameters',
        names: expect.arrayContaining(Object.values(PARAMETERS)),
        withDecryption: true,
      },
    ]);
    expect(ssm.requests[0]?.names).toHaveLength(2);
    expect(summary.status).toBe('complete');
    expect(summary.users).toBe(12);
    expect(summary.sources).toMatchObject({ backoffice: { status: 'ok', failures: 0 }, reporting: { status: 'ok', failures: 0 } });
  });
});
