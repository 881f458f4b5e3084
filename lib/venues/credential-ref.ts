import { z } from 'zod';

/**
 * Where a credential is kept, never the credential itself: an environment variable of the
 * function (`{"env": "INDX_TRADER1_LOGIN"}`) or an SSM SecureString parameter under the stage's
 * path (`{"parameter": "/balance-recon/prod/indx/936967146346/login"}`).
 */
export type CredentialRef = { env: string } | { parameter: string };

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,254}$/;
// SSM parameter names: letters, digits and . - _ / (the console's rule), at most 2048 characters.
const PARAMETER_NAME = /^\/[A-Za-z0-9_.\-/]{1,2047}$/;

/** The SSM path the functions of `stage` may read (serverless.yml grants `ssm:GetParameters` on it only). */
export function parameterPath(stage: string): string {
  return `/balance-recon/${stage}/`;
}

/**
 * A credential reference in the mapping. It refuses a credential written inline — a string, or an
 * object that is not exactly one of the two references — and a parameter outside
 * `/balance-recon/<stage>/`, with messages that never repeat what was written (it may be a password).
 *
 * @example credentialRefSchema('prod').parse({ parameter: '/balance-recon/prod/indx/login' }) // ok
 * @example credentialRefSchema('prod').parse('hunter2') // fails: "a credential is named by reference …"
 */
export function credentialRefSchema(stage: string) {
  const path = parameterPath(stage);
  return z.unknown().transform((value, ctx): CredentialRef => {
    const fail = (message: string) => {
      ctx.addIssue({ code: 'custom', message, input: undefined });
      return z.NEVER;
    };
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      return fail(
        `a credential is named by reference, {"env": "<VARIABLE>"} or {"parameter": "${path}…"}, never written in the mapping (the value given is not shown)`,
      );
    }
    const keys = Object.keys(value);
    const [key] = keys;
    const name: unknown = key === undefined ? undefined : (value as Record<string, unknown>)[key];
    if (keys.length !== 1 || (key !== 'env' && key !== 'parameter') || typeof name !== 'string') {
      return fail(`expected exactly one of {"env": "<VARIABLE>"} or {"parameter": "${path}…"} (the value given is not shown)`);
    }
    if (key === 'env') {
      return ENV_NAME.test(name) ? { env: name } : fail('expected an environment variable name (letters, digits and _)');
    }
    if (!PARAMETER_NAME.test(name)) return fail('expected an SSM parameter name (letters, digits and . - _ /, starting with /)');
    if (!name.startsWith(path) || name.length === path.length) {
      return fail(`expected an SSM parameter under ${path} (the functions of this stage may read only that path)`);
    }
    return { parameter: name };
  });
}

/** How a reference is named in errors and health reports: `environment variable X`, `SSM parameter /…`. */
export function describeRef(ref: CredentialRef): string {
  return 'env' in ref ? `environment variable ${ref.env}` : `SSM parameter ${ref.parameter}`;
}
