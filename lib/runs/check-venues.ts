import { venueBalanceCheck } from '../domain/checks/venue-balance';
import { Amount } from '../domain/money';
import type { Precision } from '../domain/precision';
import type { Verdict } from '../domain/verdict';
import type { IndxBalance } from '../sources/indx/indx-client';
import type { MultiMarketsAccountRef, MultiMarketsBalance } from '../sources/multimarkets/multimarkets-client';
import type { VenueAccounts } from '../venues/venue-accounts';
import type { CircuitBreaker, Settled } from './circuit-breaker';
import type { SourceHealthTracker } from './source-health';

/** The venues a run reads, with the mapping of their accounts; a venue left out is not checked. */
export interface VenuePorts {
  accounts: VenueAccounts;
  multiMarkets?: { balance(account: MultiMarketsAccountRef): Promise<MultiMarketsBalance> };
  /** `probeWmid`: the WMID the credentials belong to, read first so bad credentials cost one call, not one per account. */
  indx?: { balance(wmid: string): Promise<IndxBalance>; probeWmid?: string };
}

/** The internal balance of a mirrored user × asset: Reporting's figure, absent, or unknown because Reporting failed for that user. */
export type InternalBalance = { ok: true; amount: Amount | undefined } | { ok: false; reason: string };

/**
 * Keeps, while the users stream past, the Reporting figures of the user × asset pairs the venue
 * mapping mirrors — and only those, so memory grows with the mapping, not with the book.
 */
export class MirroredBalances {
  private readonly keys = new Set<string>();
  private readonly users = new Set<string>();
  private readonly amounts = new Map<string, Amount>();
  private readonly seen = new Set<string>();
  private readonly failed = new Map<string, string>();

  constructor(accounts: VenueAccounts) {
    const mirror = (userId: string, asset: string) => {
      this.keys.add(`${userId}|${asset}`);
      this.users.add(userId);
    };
    for (const account of accounts.multimarkets) mirror(account.userId, account.asset);
    for (const account of accounts.indx) {
      mirror(account.userId, account.wmz);
      for (const instrument of account.instruments) mirror(account.userId, instrument.asset);
    }
  }

  /** Notes what Reporting answered for a user (kept only when the mapping mirrors that user). */
  note(userId: string, result: Settled<{ asset: string; amount: Amount }[]>): void {
    if (!this.users.has(userId)) return;
    if (!result.ok) {
      this.failed.set(userId, `reporting unavailable: ${result.error.failure}`);
      return;
    }
    this.seen.add(userId);
    for (const row of result.value) {
      const key = `${userId}|${row.asset}`;
      if (this.keys.has(key)) this.amounts.set(key, row.amount);
    }
  }

  /** The internal figure a venue account mirrors. */
  lookup(userId: string, asset: string): InternalBalance {
    const failure = this.failed.get(userId);
    if (failure) return { ok: false, reason: failure };
    if (!this.seen.has(userId)) return { ok: false, reason: 'user not in the Reporting user list' };
    return { ok: true, amount: this.amounts.get(`${userId}|${asset}`) };
  }
}

/**
 * Reads every mapped venue account and compares it with the internal balance it mirrors. The
 * venues are rate-limited, so each is read one account at a time through its paced client (the
 * two venues in parallel); a venue that keeps failing is stopped by the breaker, and every
 * account it could not answer for is `unknown`.
 */
export async function checkVenues(
  ports: VenuePorts,
  internal: (userId: string, asset: string) => InternalBalance,
  precision: Precision,
  breaker: CircuitBreaker,
  health: SourceHealthTracker,
): Promise<Verdict[]> {
  const run: VenueRun = { internal, precision, breaker, health };
  const [multiMarkets, indx] = await Promise.all([checkMultiMarkets(ports, run), checkIndx(ports, run)]);
  return [...multiMarkets, ...indx];
}

/** What both venue phases share: the internal figures, the precision, and the run's breaker and health. */
interface VenueRun {
  internal: (userId: string, asset: string) => InternalBalance;
  precision: Precision;
  breaker: CircuitBreaker;
  health: SourceHealthTracker;
}

async function checkMultiMarkets(ports: VenuePorts, { internal, precision, breaker, health }: VenueRun): Promise<Verdict[]> {
  const venue = ports.multiMarkets;
  if (!venue) return [];
  const verdicts: Verdict[] = [];
  for (const account of ports.accounts.multimarkets) {
    const { userId, asset } = account;
    const answer = await breaker.call('multimarkets', () => venue.balance(account));
    health.note('multimarkets', answer);
    const mirrored = internal(userId, asset);
    const unknown = (reason: string): Verdict => ({ check: 'venue-multimarkets', outcome: 'unknown', userId, asset, reason });
    if (!answer.ok) verdicts.push(unknown(`multimarkets unavailable: ${answer.error.failure}`));
    else if (!answer.value.found) verdicts.push(unknown(`account not found at MultiMarkets (code ${answer.value.code})`));
    else if (!mirrored.ok) verdicts.push(unknown(mirrored.reason));
    else {
      verdicts.push(
        venueBalanceCheck(
          {
            check: 'venue-multimarkets',
            userId,
            asset,
            field: 'amount',
            account: `${account.thirdServerCode}/${account.userName}/${account.currency}`,
            venueAmount: answer.value.amount,
            venueScale: answer.value.scale,
            internal: mirrored.amount,
          },
          precision,
        ),
      );
    }
  }
  return verdicts;
}

async function checkIndx(ports: VenuePorts, { internal, precision, breaker, health }: VenueRun): Promise<Verdict[]> {
  const venue = ports.indx;
  if (!venue) return [];
  const probe = venue.probeWmid ? await breaker.call('indx', () => venue.balance(venue.probeWmid as string)) : undefined;
  if (probe) health.note('indx', probe);
  const verdicts: Verdict[] = [];
  for (const account of ports.accounts.indx) {
    const figures = [
      { field: 'wmz', asset: account.wmz, read: (balance: IndxBalance & { found: true }) => balance.wmz },
      ...account.instruments.map((instrument) => ({
        field: 'notes',
        asset: instrument.asset,
        // An instrument the portfolio does not list is not held: zero notes.
        read: (balance: IndxBalance & { found: true }) => balance.portfolio.find((held) => held.id === instrument.id)?.notes ?? Amount.ZERO,
      })),
    ];
    const answer: Settled<IndxBalance> = probe && !probe.ok ? probe : await breaker.call('indx', () => venue.balance(account.wmid));
    if (answer !== probe) health.note('indx', answer);
    for (const { field, asset, read } of figures) {
      const { userId } = account;
      const mirrored = internal(userId, asset);
      const unknown = (reason: string): Verdict => ({ check: 'venue-indx', outcome: 'unknown', userId, asset, reason });
      if (!answer.ok) verdicts.push(unknown(`indx unavailable: ${answer.error.failure}`));
      else if (!answer.value.found) verdicts.push(unknown('WMID not found at INDX (code -3)'));
      else if (!mirrored.ok) verdicts.push(unknown(mirrored.reason));
      else {
        verdicts.push(
          venueBalanceCheck(
            {
              check: 'venue-indx',
              userId,
              asset,
              field,
              account: account.wmid,
              venueAmount: read(answer.value),
              venueScale: undefined,
              internal: mirrored.amount,
            },
            precision,
          ),
        );
      }
    }
  }
  return verdicts;
}
