/**
 * `npm run -s token -- --role compliance [--sub alice@example.com] [--ttl 3600]`: prints a bearer
 * token for the local stage (`npm start`, `sls offline`, `sls invoke local`), signed with
 * `AUTH_DEV_KEY` from the environment or `.env.local`, its roles in the claim `AUTH_ROLES_CLAIM`
 * names (default `cognito:groups`), with `AUTH_ISSUER` and `AUTH_AUDIENCE` when set, so the
 * function's own check accepts it. `--role compliance-read` gives a read-only token. Deployed stages do not: API Gateway verifies
 * tokens against the real issuer.
 */
import { existsSync, readFileSync } from 'node:fs';
import { parseArgs, parseEnv } from 'node:util';
import { MIN_KEY_LENGTH, signDevToken } from '../lib/auth/jwt';

const USAGE = 'usage: npm run -s token -- --role <role> [--role <role>…] [--sub <subject>] [--ttl <seconds, 1–86400>]';
const ENV_FILE = '.env.local';
const MAX_TTL_SECONDS = 86_400;

function main(argv: string[], env: NodeJS.ProcessEnv): string {
  const flags = readFlags(argv);
  const settings = { ...(existsSync(ENV_FILE) ? parseEnv(readFileSync(ENV_FILE, 'utf8')) : {}), ...env };
  const key = settings.AUTH_DEV_KEY ?? '';
  if (key === '') fail(`AUTH_DEV_KEY is not set in the environment or ${ENV_FILE}`);
  if (key.length < MIN_KEY_LENGTH) fail(`AUTH_DEV_KEY must be at least ${MIN_KEY_LENGTH} characters`);
  return signDevToken({
    sub: flags.sub,
    roles: flags.roles,
    rolesClaim: settings.AUTH_ROLES_CLAIM || undefined,
    ttlSeconds: flags.ttlSeconds,
    key,
    issuer: settings.AUTH_ISSUER || undefined,
    audience: settings.AUTH_AUDIENCE || undefined,
  });
}

function readFlags(argv: string[]): { roles: string[]; sub: string; ttlSeconds: number } {
  let values: { role?: string[]; sub?: string; ttl?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        role: { type: 'string', multiple: true },
        sub: { type: 'string', default: 'local-dev@example.com' },
        ttl: { type: 'string', default: '3600' },
        help: { type: 'boolean', default: false },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    fail(error instanceof Error ? error.message : String(error));
  }
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const roles = values.role ?? [];
  if (roles.length === 0 || roles.some((role) => role.trim() === '')) fail('--role is required (e.g. --role compliance)');
  const sub = values.sub ?? '';
  if (sub.trim() === '') fail('--sub must not be empty');
  const ttlSeconds = Number(values.ttl);
  if (!Number.isSafeInteger(ttlSeconds) || ttlSeconds < 1 || ttlSeconds > MAX_TTL_SECONDS) {
    fail(`--ttl must be a whole number of seconds from 1 to ${MAX_TTL_SECONDS}, got ${JSON.stringify(values.ttl)}`);
  }
  return { roles, sub, ttlSeconds };
}

function fail(message: string): never {
  console.error(`token: ${message}\n${USAGE}`);
  process.exit(2);
}

console.log(main(process.argv.slice(2), process.env));
