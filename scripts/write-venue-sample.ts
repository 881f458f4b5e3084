/**
 * `tsx scripts/write-venue-sample.ts [--users N] [--seed S] [--out path]`: writes the venue-account
 * mapping of the sandbox book `generateBook({ users, seed })`. The defaults (60 users, seed 42)
 * regenerate `config/venue-accounts.sample.json`, the mapping `npm start` uses.
 */
import { parseArgs } from 'node:util';
import { generateBook } from '../sandbox/book';
import { writeVenueAccountsFile } from './local/venue-accounts-of-book';

const USAGE = 'usage: tsx scripts/write-venue-sample.ts [--users N] [--seed S] [--out path]';

function main(): void {
  const { values } = parseArgs({
    options: {
      users: { type: 'string', default: '60' },
      seed: { type: 'string', default: '42' },
      out: { type: 'string', default: 'config/venue-accounts.sample.json' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const users = integer('--users', values.users);
  const seed = integer('--seed', values.seed);
  const mapping = writeVenueAccountsFile(generateBook({ users, seed }), values.out);
  console.log(
    `${values.out}: ${mapping.multimarkets.length} MultiMarkets and ${mapping.indx.length} INDX accounts (${users} users, seed ${seed})`,
  );
}

function integer(name: string, text: string): number {
  const value = /^-?\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(value)) throw new Error(`${name} must be an integer, got ${JSON.stringify(text)}`);
  return value;
}

try {
  main();
} catch (error) {
  console.error(`${error instanceof Error ? error.message : String(error)}\n${USAGE}`);
  process.exit(2);
}
