import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { SECRET_VARIABLES as FUNCTION_SECRETS } from '../../../lib/middleware/ssm-secrets';

/** The plugin is plain CommonJS, loaded by the serverless CLI. */
const GuardPlugin = createRequire(import.meta.url)('../../../infra/guard-plugin.js') as {
  new (serverless: unknown, options?: { stage?: string }): { hooks: Record<string, () => void> };
  plaintextProblems(service: unknown, stage: string, env?: NodeJS.ProcessEnv): string[];
  SECRET_VARIABLES: string[];
};

/** A resolved service as the CLI holds it: the provider's environment and each function's. */
const service = (runEnvironment: Record<string, unknown>) => ({
  provider: { stage: 'local', environment: { LOG_LEVEL: 'info', RUNS_TABLE: 'runs' } },
  functions: { runDirect: { environment: runEnvironment }, getRun: { environment: { AUTH_DEV_KEY: '' } } },
});
const serverless = (commands: string[], runEnvironment: Record<string, unknown> = {}) => ({
  processedInput: { commands },
  service: service(runEnvironment),
});

describe('guard plugin: what may be packaged and deployed', () => {
  it('guards every credential the functions read from SSM', () => {
    expect(GuardPlugin.SECRET_VARIABLES).toEqual(expect.arrayContaining([...FUNCTION_SECRETS]));
  });

  it('names each plaintext credential outside the local stage, and where it is given', () => {
    const problems = GuardPlugin.plaintextProblems(service({ BACKOFFICE_TOKEN: 'plain', REPORTING_TOKEN: '' }), 'prod', {});
    expect(problems).toEqual([expect.stringMatching(/^BACKOFFICE_TOKEN is given in plain text \(functions\.runDirect\.environment\)/)]);
    expect(problems.join('\n')).not.toContain('plain,');
  });

  it('names a venue trader’s credential variable given in plain text, from the mapping', () => {
    const env = { VENUE_ACCOUNTS_FILE: 'config/venue-accounts.sample.json' };
    const problems = GuardPlugin.plaintextProblems(service({ INDX_TRADER1_PASSWORD: 'own' }), 'prod', env);
    expect(problems).toEqual([expect.stringMatching(/^INDX_TRADER1_PASSWORD is given in plain text/)]);
  });

  it('accepts SSM names under the stage’s path only', () => {
    expect(GuardPlugin.plaintextProblems(service({ BACKOFFICE_TOKEN_PARAMETER: '/balance-recon/prod/bo' }), 'prod', {})).toEqual([]);
    expect(GuardPlugin.plaintextProblems(service({ BACKOFFICE_TOKEN_PARAMETER: '/balance-recon/dev/bo' }), 'prod', {})).toEqual([
      expect.stringMatching(/^BACKOFFICE_TOKEN_PARAMETER names "\/balance-recon\/dev\/bo", outside \/balance-recon\/prod\//),
    ]);
  });

  it('lets the local stage carry its sandbox tokens', () => {
    expect(GuardPlugin.plaintextProblems(service({ BACKOFFICE_TOKEN: 'sandbox-backoffice-token' }), 'local', {})).toEqual([]);
  });

  it('refuses to deploy the local stage, given or by default, but lets it run offline and be invoked locally', () => {
    expect(() => new GuardPlugin(serverless(['deploy']), { stage: 'local' })).toThrow(/Refusing to deploy the "local" stage/);
    expect(() => new GuardPlugin(serverless(['deploy']))).toThrow(/Refusing to deploy the "local" stage/);
    expect(() => new GuardPlugin(serverless(['deploy', 'function']))).toThrow(/Refusing to deploy/);
    for (const commands of [['offline', 'start'], ['invoke', 'local'], ['package']]) {
      expect(() => new GuardPlugin(serverless(commands))).not.toThrow();
    }
  });

  it('fails the package hook of another stage with a plaintext credential', () => {
    const plugin = new GuardPlugin(serverless(['package'], { REPORTING_TOKEN: 'plain' }), { stage: 'prod' });
    expect(() => plugin.hooks['before:package:initialize']?.()).toThrow(/Refusing to package the "prod" stage[\s\S]*REPORTING_TOKEN/);
  });
});
