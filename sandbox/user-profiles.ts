import type { BookLogin, BookUser, UserRole, UserStatus } from './book-types';
import type { Rng, Weighted } from './random';
import { DAY_US, isoFromMicros } from './time';

/** Commission in basis points of the received amount, per fee group. */
export const FEE_GROUP_BPS: Readonly<Record<string, bigint>> = {
  standard: 10n,
  vip: 5n,
  'market-maker': 0n,
};

const ROLE_WEIGHTS: readonly Weighted<UserRole>[] = [
  ['Trader', 70],
  ['User', 15],
  ['Market Maker', 5],
  ['Bot', 5],
  ['Admin', 5],
];
const COUNTED_ROLE_WEIGHTS: readonly Weighted<UserRole>[] = ROLE_WEIGHTS.slice(0, 3);
const STATUS_WEIGHTS: readonly Weighted<UserStatus>[] = [
  ['Active', 85],
  ['Frozen', 10],
  ['Terminated', 5],
];
const ADJECTIVES = ['brave', 'calm', 'eager', 'fancy', 'gentle', 'happy', 'jolly', 'kind', 'lucky', 'proud', 'quick', 'witty'];
const NOUNS = ['otter', 'falcon', 'badger', 'heron', 'lynx', 'panda', 'raven', 'tiger', 'walrus', 'yak', 'zebra', 'koala'];

/** A generated user plus the creation instant (epoch µs) its history starts from. */
export interface GeneratedProfile {
  user: BookUser;
  createdAtUs: number;
}

/**
 * Generates one user and its sign-in log (logins are appended to `logins`).
 * `counted` forces a role the Reporting API counts in balance figures (Trader, User, Market Maker).
 */
export function generateProfile(rng: Rng, index: number, asOfUs: number, counted: boolean, logins: BookLogin[]): GeneratedProfile {
  const userId = rng.guid();
  const role = rng.weighted(counted ? COUNTED_ROLE_WEIGHTS : ROLE_WEIGHTS);
  const status = rng.weighted(STATUS_WEIGHTS);
  const username = `${rng.pick(ADJECTIVES)}_${rng.pick(NOUNS)}${String(index).padStart(5, '0')}`;
  const createdAtUs = asOfUs - rng.int(30 * DAY_US, 730 * DAY_US);
  const feeGroupId = role === 'Market Maker' ? 'market-maker' : rng.chance(0.2) ? 'vip' : 'standard';

  const loginCount = rng.int(1, 5);
  const step = Math.floor((asOfUs - createdAtUs) / (loginCount + 1));
  let t = createdAtUs;
  for (let i = 0; i < loginCount; i++) {
    t += rng.int(1, step);
    const ip = `${rng.int(11, 223)}.${rng.int(0, 255)}.${rng.int(0, 255)}.${rng.int(1, 254)}`;
    logins.push({ userId, ip, loginAt: isoFromMicros(t) });
  }

  const user: BookUser = {
    userId,
    username,
    email: `${username}@mailinator.com`,
    roles: [role],
    status,
    createdAt: isoFromMicros(createdAtUs),
    lastSignInDate: isoFromMicros(t),
    hasTradingApiKey: role === 'Bot' || rng.chance(0.2),
    feeGroupId,
  };
  return { user, createdAtUs };
}
