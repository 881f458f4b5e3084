import { z } from 'zod';
import type { ConsoleConfig } from '../api/schemas';

/** The placeholder issuer serverless.yml falls back to when none is configured: no OIDC sign-in is offered then. */
const NO_ISSUER = 'https://example.invalid';

/**
 * The console function's environment (serverless.yml `webConsole`): how people sign in, never a secret.
 * `CONSOLE_DEV_SIGN_IN` is 'true' on the local stage only (a stage param), where `POST /dev/token` exists.
 */
const consoleEnvironment = z.object({
  CONSOLE_DEV_SIGN_IN: z.string().optional(),
  AUTH_ISSUER_URL: z.string().optional(),
  AUTH_CLIENT_ID: z.string().optional(),
  AUTH_READ_ROLE: z.string().min(1).default('compliance-read'),
  AUTH_ACT_ROLE: z.string().min(1).default('compliance'),
  AUTH_ROLES_CLAIM: z.string().min(1).default('cognito:groups'),
});

/**
 * What `GET /console/config.json` answers, from the environment: the dev sign-in locally, OIDC where
 * an issuer and a client id are set, and the role names the console offers actions by.
 * @example consoleConfigFrom({ AUTH_ISSUER_URL: 'https://id.example', AUTH_CLIENT_ID: 'console' }).oidc?.clientId // 'console'
 */
export function consoleConfigFrom(env: Record<string, string | undefined>): ConsoleConfig {
  const settings = consoleEnvironment.parse(env);
  const issuer = settings.AUTH_ISSUER_URL?.trim();
  const clientId = settings.AUTH_CLIENT_ID?.trim();
  return {
    devSignIn: settings.CONSOLE_DEV_SIGN_IN === 'true',
    ...(issuer &&
      issuer !== NO_ISSUER &&
      clientId && { oidc: { issuer, clientId, scope: 'openid', rolesClaim: settings.AUTH_ROLES_CLAIM } }),
    roles: { read: settings.AUTH_READ_ROLE, act: settings.AUTH_ACT_ROLE },
  };
}
