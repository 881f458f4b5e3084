import type { MiddlewareObj } from '@middy/core';
import ssm from '@middy/ssm';
import type { Context } from 'aws-lambda';

/** The configuration variables that hold credentials, and so may come from SSM Parameter Store instead of the environment. */
export const SECRET_VARIABLES = ['BACKOFFICE_TOKEN', 'REPORTING_TOKEN', 'INDX_LOGIN', 'INDX_PASSWORD'] as const;

/** One of {@link SECRET_VARIABLES}. */
export type SecretVariable = (typeof SECRET_VARIABLES)[number];

/**
 * Where each secret is kept when deployed: `BACKOFFICE_TOKEN_PARAMETER=/balance-recon/prod/backoffice-token`
 * names an SSM SecureString parameter holding `BACKOFFICE_TOKEN`. A secret without one is read
 * from the environment (as locally).
 */
export function secretParameters(env: NodeJS.ProcessEnv = process.env): Partial<Record<SecretVariable, string>> {
  return Object.fromEntries(
    SECRET_VARIABLES.flatMap((name) => {
      const parameter = env[`${name}_PARAMETER`];
      return parameter ? [[name, parameter]] : [];
    }),
  );
}

/**
 * Fetches the secrets kept in SSM Parameter Store (decrypted, in one `GetParameters` call), puts
 * them on the Lambda context and caches them in the container for `SECRETS_CACHE_SECONDS`
 * (default 300) so a rotated value is picked up without a deploy. Without any `*_PARAMETER`
 * variable it does nothing.
 */
export function ssmSecrets(env: NodeJS.ProcessEnv = process.env, options: { AwsClient?: unknown } = {}): MiddlewareObj {
  const fetchData = secretParameters(env);
  if (Object.keys(fetchData).length === 0) return { name: 'ssmSecrets', before: () => undefined };
  const cacheSeconds = Number(env.SECRETS_CACHE_SECONDS ?? '300');
  return ssm({
    fetchData,
    setToContext: true,
    cacheKey: `balance-recon-secrets:${JSON.stringify(fetchData)}`,
    cacheExpiry: Number.isFinite(cacheSeconds) && cacheSeconds >= 0 ? cacheSeconds * 1000 : 300_000,
    disablePrefetch: true,
    ...(options.AwsClient ? { AwsClient: options.AwsClient as never } : {}),
  }) as MiddlewareObj;
}

/** The secrets the middleware put on the context (empty when it did nothing). */
export function secretsFromContext(context: Context): Partial<Record<SecretVariable, string>> {
  const holder = context as unknown as Record<string, unknown>;
  return Object.fromEntries(SECRET_VARIABLES.flatMap((name) => (typeof holder[name] === 'string' ? [[name, holder[name]]] : [])));
}
