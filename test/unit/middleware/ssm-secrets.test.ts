import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { secretParameters, secretsFromContext, ssmSecrets } from '../../../lib/middleware/ssm-secrets';

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
