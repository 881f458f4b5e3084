import { parseArgs } from 'node:util';
import { MAX_USERS, MIN_USERS } from './book';
import { DEFAULT_PAGE_CAP, MAX_PER_PAGE } from './reporting-engine';

/** Usage line of `tsx sandbox/main.ts`. */
export const SANDBOX_USAGE =
  'usage: tsx sandbox/main.ts [--users N] [--seed S] [--port P] [--host H] [--as-of ISO-DATE-TIME] [--page-cap N]';

/** Parsed CLI options of the sandbox. */
export interface SandboxCliOptions {
  users: number;
  seed: number;
  port: number;
  host: string;
  asOf?: string;
  /** The most rows a page answers on every paged endpoint (default 15, as in the documents). */
  pageCap: number;
}

/** Parses argv (without node and script) and the environment ($SANDBOX_PORT) into options; throws a readable Error on bad input. */
export function parseSandboxArgs(argv: readonly string[], env: NodeJS.ProcessEnv): SandboxCliOptions {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      users: { type: 'string', default: '60' },
      seed: { type: 'string', default: '42' },
      port: { type: 'string', default: env.SANDBOX_PORT ?? '4010' },
      host: { type: 'string', default: '127.0.0.1' },
      'as-of': { type: 'string' },
      'page-cap': { type: 'string', default: String(DEFAULT_PAGE_CAP) },
    },
    strict: true,
    allowPositionals: false,
  });
  const integer = (name: string, text: string, min: number, max: number): number => {
    const n = /^-?\d+$/.test(text) ? Number(text) : Number.NaN;
    if (!Number.isSafeInteger(n) || n < min || n > max)
      throw new Error(`${name} must be an integer in [${min}, ${max}], got ${JSON.stringify(text)}`);
    return n;
  };
  return {
    users: integer('--users', values.users, MIN_USERS, MAX_USERS),
    seed: integer('--seed', values.seed, -(2 ** 31), 2 ** 31 - 1),
    port: integer(
      env.SANDBOX_PORT !== undefined && !argv.some((a) => a.startsWith('--port')) ? 'SANDBOX_PORT' : '--port',
      values.port,
      0,
      65_535,
    ),
    host: values.host,
    asOf: values['as-of'],
    pageCap: integer('--page-cap', values['page-cap'], 1, MAX_PER_PAGE),
  };
}
