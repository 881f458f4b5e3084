import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { secretParameters, secretsFromContext, ssmSecrets, venueCredentialSecrets } from '../../../lib/middleware/ssm-secrets';

/** Stands in for the SSM client: answers GetParameters from a fixed store and counts calls. */
function fakeSsm(store: Record<string, string>) {
  const calls: string[][] = [];
  class FakeSsmClient {
    async send(command: { input: { Names: string[]; WithDecryption: boolean } }) {
      calls.push(command.input.Names);
      expect(command.input.WithDecryption).toBe(true);
      return {
        Parameters: command.input.Names.filter((name) => name in store).map((name) => ({
          Name: name,
          Type: 'SecureString',
          Value: store[name],
        })),
        InvalidParameters: command.input.Names.filter((name) => !(name in store)),
      };
    }
  }
  return { FakeSsmClient, calls };
}

const context = () => ({ awsRequestId: 'r', getRemainingTimeInMillis: () => 60_000 }) as unknown as Context;

describe('ssmSecrets', () => {
  it('names the parameter of each secret that has one', () => {
    expect(
      secretParameters({ BACKOFFICE_TOKEN_PARAMETER: '/recon/bo', INDX_PASSWORD_PARAMETER: '/recon/indx', OTHER_PARAMETER: '/x' }),
    ).toEqual({
      BACKOFFICE_TOKEN: '/recon/bo',
      INDX_PASSWORD: '/recon/indx',
    });
  });

  it('puts the decrypted secrets on the context, fetching them once per cache period', async () => {
    const { FakeSsmClient, calls } = fakeSsm({ '/recon/bo': 'bo-from-ssm', '/recon/rep': 'rep-from-ssm' });
    const env = { BACKOFFICE_TOKEN_PARAMETER: '/recon/bo', REPORTING_TOKEN_PARAMETER: '/recon/rep', SECRETS_CACHE_SECONDS: '300' };
    const handler = middy()
      .use(ssmSecrets(env, { AwsClient: FakeSsmClient }))
      .handler(async (_event: unknown, ctx: Context) => secretsFromContext(ctx));
    expect(await handler({}, context())).toEqual({ BACKOFFICE_TOKEN: 'bo-from-ssm', REPORTING_TOKEN: 'rep-from-ssm' });
    expect(await handler({}, context())).toEqual({ BACKOFFICE_TOKEN: 'bo-from-ssm', REPORTING_TOKEN: 'rep-from-ssm' });
    expect(calls).toEqual([['/recon/bo', '/recon/rep']]);
  });

  it('does nothing when no secret lives in SSM', async () => {
    const handler = middy()
      .use(ssmSecrets({}))
      .handler(async (_event: unknown, ctx: Context) => secretsFromContext(ctx));
    expect(await handler({}, context())).toEqual({});
  });

  it('fails the invocation, naming the parameter but no value, when a parameter is missing', async () => {
    const { FakeSsmClient } = fakeSsm({});
    const handler = middy()
      .use(ssmSecrets({ INDX_LOGIN_PARAMETER: '/recon/missing' }, { AwsClient: FakeSsmClient }))
      .handler(async () => 'ran');
    const error = (await handler({}, context()).catch((caught: unknown) => caught)) as Error & { cause?: { data?: Error[] } };
    expect(error).toBeInstanceOf(Error);
    expect(error.cause?.data?.map((reason) => reason.message)).toEqual(['InvalidParameter /recon/missing']);
  });
});

describe('venueCredentialSecrets', () => {
  const trader = (wmid: string, login: object, password: object) => ({
    wmid,
    userId: `u${wmid}`,
    wmz: 'usd',
    login,
    password,
    culture: 'ru-RU',
  });
  /** A mapping file whose traders name their credentials: two by SSM parameter (one missing from SSM), one by variable. */
  function mappingFile(): string {
    const file = join(mkdtempSync(join(tmpdir(), 'venue-credentials-')), 'venue-accounts.json');
    const indx = [
      trader('111111111111', { parameter: '/balance-recon/prod/t1/login' }, { parameter: '/balance-recon/prod/t1/password' }),
      trader('222222222222', { parameter: '/balance-recon/prod/t2/login' }, { parameter: '/balance-recon/prod/t2/password' }),
      trader('333333333333', { env: 'T3_LOGIN' }, { env: 'T3_PASSWORD' }),
    ];
    writeFileSync(file, JSON.stringify({ indx }));
    return file;
  }

  /** The SSM stand-in as an injected client (what the middleware calls `send` on). */
  function client(store: Record<string, string>) {
    const { FakeSsmClient, calls } = fakeSsm(store);
    return { client: new FakeSsmClient() as never, calls };
  }

  it('fetches every parameter the mapping names in one GetParameters call, cached, and leaves a missing one out instead of failing', async () => {
    const env = { VENUE_ACCOUNTS_FILE: mappingFile(), INDX_URL: 'http://x', STAGE: 'prod', SECRETS_CACHE_SECONDS: '300' };
    const store = { '/balance-recon/prod/t1/login': 'l1', '/balance-recon/prod/t1/password': 'p1', '/balance-recon/prod/t2/login': 'l2' };
    const { client: ssm, calls } = client(store);
    let now = 0;
    const handler = middy()
      .use(venueCredentialSecrets(env, { client: ssm, now: () => now }))
      .handler(async (_event: unknown, ctx: Context) => secretsFromContext(ctx));
    expect(await handler({}, context())).toEqual(store);
    now = 299_000;
    expect(await handler({}, context())).toEqual(store);
    expect(calls).toEqual([
      [
        '/balance-recon/prod/t1/login',
        '/balance-recon/prod/t1/password',
        '/balance-recon/prod/t2/login',
        '/balance-recon/prod/t2/password',
      ],
    ]);
    now = 300_000;
    await handler({}, context());
    expect(calls).toHaveLength(2);
  });

  it('lets the run go on without them when SSM refuses the call, and asks again at the next invocation', async () => {
    const env = { VENUE_ACCOUNTS_FILE: mappingFile(), INDX_URL: 'http://x', STAGE: 'prod' };
    let calls = 0;
    const refusing = {
      send: async () => {
        calls++;
        throw Object.assign(new Error('not authorized'), { name: 'AccessDeniedException' });
      },
    };
    const handler = middy()
      .use(venueCredentialSecrets(env, { client: refusing }))
      .handler(async (_event: unknown, ctx: Context) => secretsFromContext(ctx));
    expect(await handler({}, context())).toEqual({});
    expect(await handler({}, context())).toEqual({});
    expect(calls).toBe(2);
  });

  it('does nothing without INDX, or when the mapping names no parameter', async () => {
    const { client: ssm, calls } = client({});
    for (const env of [{ VENUE_ACCOUNTS_FILE: mappingFile(), STAGE: 'prod' }, { INDX_URL: 'http://x' }]) {
      const handler = middy()
        .use(venueCredentialSecrets(env, { client: ssm }))
        .handler(async (_event: unknown, ctx: Context) => secretsFromContext(ctx));
      expect(await handler({}, context())).toEqual({});
    }
    expect(calls).toEqual([]);
  });
});
