import { GetParametersCommand, type GetParametersCommandOutput, SSMClient } from '@aws-sdk/client-ssm';
import type { MiddlewareObj } from '@middy/core';
import ssm from '@middy/ssm';
import type { Context } from 'aws-lambda';
import { credentialParameters } from '../venues/indx-credentials';
import { loadVenueAccounts } from '../venues/venue-accounts';

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
  return ssm({
    fetchData,
    setToContext: true,
    cacheKey: `balance-recon-secrets:${JSON.stringify(fetchData)}`,
    cacheExpiry: cacheMilliseconds(env),
    disablePrefetch: true,
    ...(env.SSM_ENDPOINT && { awsClientOptions: ssmClientOptions(env) }),
    ...(options.AwsClient ? { AwsClient: options.AwsClient as never } : {}),
  }) as MiddlewareObj;
}

/**
 * The SSM client's options: the region, and `SSM_ENDPOINT` when set — a test's stand-in for
 * Parameter Store (never set by serverless.yml), which lets a test run the real handlers with
 * credentials named by SSM parameter.
 */
function ssmClientOptions(env: NodeJS.ProcessEnv): { region: string | undefined; endpoint?: string } {
  return { region: env.AWS_REGION, ...(env.SSM_ENDPOINT && { endpoint: env.SSM_ENDPOINT }) };
}

function cacheMilliseconds(env: NodeJS.ProcessEnv): number {
  const cacheSeconds = Number(env.SECRETS_CACHE_SECONDS ?? '300');
  return Number.isFinite(cacheSeconds) && cacheSeconds >= 0 ? cacheSeconds * 1000 : 300_000;
}

/** Where the venue credentials fetched from SSM are put on the context, keyed by parameter name. */
const VENUE_CREDENTIALS = 'venueCredentialParameters';
/** GetParameters takes at most 10 names a call. */
const NAMES_PER_CALL = 10;

/** What the middleware needs of an SSM client (injected in tests). */
export interface ParameterClient {
  send(command: GetParametersCommand): Promise<Pick<GetParametersCommandOutput, 'Parameters'>>;
}

/**
 * Fetches the SSM SecureString parameters the venue mapping names for INDX traders' own
 * credentials (decrypted, one `GetParameters` call per 10 names), caches them in the container
 * for `SECRETS_CACHE_SECONDS` and puts them on the context by name. Unlike {@link ssmSecrets} a
 * parameter that is missing or unreadable does not fail the invocation: it is left out, and that
 * trader's checks become `unknown` naming the parameter. Used by the functions that read INDX
 * only; without parameters in the mapping it does nothing.
 */
export function venueCredentialSecrets(
  env: NodeJS.ProcessEnv = process.env,
  options: { client?: ParameterClient; now?: () => number } = {},
): MiddlewareObj {
  const now = options.now ?? Date.now;
  let names: string[] | undefined;
  let cached: { values: Record<string, string>; expires: number } | undefined;
  return {
    name: 'venueCredentialSecrets',
    before: async (request) => {
      names ??= mappedParameters(env);
      if (names.length === 0) return;
      if (!cached || cached.expires <= now()) {
        const client = options.client ?? new SSMClient(ssmClientOptions(env));
        const { values, complete } = await fetchParameters(client, names);
        cached = complete ? { values, expires: now() + cacheMilliseconds(env) } : undefined;
        Object.assign(request.context, { [VENUE_CREDENTIALS]: values });
        return;
      }
      Object.assign(request.context, { [VENUE_CREDENTIALS]: cached.values });
    },
  };
}

/** The parameters the mapping names; a mapping that cannot be read names none here (the wiring reports it). */
function mappedParameters(env: NodeJS.ProcessEnv): string[] {
  if (!env.VENUE_ACCOUNTS_FILE || !env.INDX_URL) return [];
  try {
    return credentialParameters(loadVenueAccounts(env.VENUE_ACCOUNTS_FILE, { stage: env.STAGE || 'local' }).indx);
  } catch {
    return [];
  }
}

/** The values SSM gave, by name; `complete` is false when a call failed (not cached, so the next invocation tries again). */
async function fetchParameters(client: ParameterClient, names: string[]): Promise<{ values: Record<string, string>; complete: boolean }> {
  const values: Record<string, string> = {};
  let complete = true;
  for (let at = 0; at < names.length; at += NAMES_PER_CALL) {
    try {
      const answer = await client.send(new GetParametersCommand({ Names: names.slice(at, at + NAMES_PER_CALL), WithDecryption: true }));
      for (const { Name, Value } of answer.Parameters ?? []) if (Name && Value) values[Name] = Value;
    } catch {
      // Access denied, throttled, unreachable: these traders' credentials are unavailable this time, and say so by name.
      complete = false;
    }
  }
  return { values, complete };
}

/**
 * The secrets the middlewares put on the context (empty when they did nothing): the variables of
 * {@link SECRET_VARIABLES} by name, and the venue credentials by parameter name (`/balance-recon/…`).
 */
export function secretsFromContext(context: Context): Record<string, string> {
  const holder = context as unknown as Record<string, unknown>;
  const variables = SECRET_VARIABLES.flatMap((name) => (typeof holder[name] === 'string' ? [[name, holder[name]]] : []));
  const venue = holder[VENUE_CREDENTIALS];
  const parameters =
    typeof venue === 'object' && venue !== null ? Object.entries(venue).filter(([, value]) => typeof value === 'string') : [];
  return Object.fromEntries([...variables, ...parameters]);
}
