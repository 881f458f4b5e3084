import { type VenueReading, venueBalanceCheck } from '../domain/checks/venue-balance';
import { Amount } from '../domain/money';
import type { Precision } from '../domain/precision';
import type { Verdict } from '../domain/verdict';
import type { CircuitBreaker, Settled } from '../policy/circuit-breaker';
import { pickDueAccounts, venueCoverage } from '../policy/venue-schedule';
import type { Clock } from '../ports/clock';
import type { SourceError } from '../ports/source-error';
import type {
  IndxBalance,
  IndxVenuePort,
  MultiMarketsAccountRef,
  VenueBudgets,
  VenueCheckLog,
  VenueCoverage,
  VenuePhaseProgress,
  VenuePorts,
  VenueProgress,
  VenueSource,
} from '../ports/venues';
import type { IndxVenueAccount, MultiMarketsVenueAccount } from '../venues/venue-accounts';
import { hasOwnCredentials } from '../venues/venue-accounts';
import type { SourceHealthTracker } from './source-health';

/** How a run chooses the venue accounts it reads, and over what window it reports their coverage. */
export interface VenueSchedule {
  /** When each account was last checked; left out, none ever was (every account is due in every run). */
  log?: VenueCheckLog;
  /** Read the log to choose, but record nothing in it (a dry run; a run that judged only some assets of each account). */
  readOnly?: boolean;
  /** Calls each venue may take in this run; a venue left out reads every mapped account. */
  budgets: VenueBudgets;
  /** Every mapped account should be checked within this many seconds. */
  windowSeconds: number;
  /** A venue without a call budget (INDX: paced per WMID) starts no read after this many seconds of its phase; left out, no limit. */
  runSeconds?: number;
  clock: Clock;
  /** Where each venue's phase stopped when an earlier invocation handed over; left out, every phase starts afresh. */
  resume?: VenueProgress;
  /** True once this invocation must hand over: each venue then stops after the account it is reading (at least one per invocation). */
  mustStop?: () => boolean;
}

/** A user's Reporting balances, read when a venue account of that user is compared (settled: a failure is data). */
export type InternalBalances = (userId: string) => Promise<Settled<{ asset: string; amount: Amount }[]>>;

/**
 * What the venue phase of a run found: the verdicts of the accounts it read in this invocation, each
 * venue's coverage (once every phase is over), and each phase's progress — with `finished` false, the
 * checkpoint a fresh invocation resumes from.
 */
export interface VenueCheckResult {
  verdicts: Verdict[];
  coverage: { multimarkets?: VenueCoverage; indx?: VenueCoverage };
  finished: boolean;
  progress: VenueProgress;
}

/** The key of a MultiMarkets account in the check log (and as evidence names it): `thirdServerCode/userName/currency`. */
export function multiMarketsAccountKey(account: MultiMarketsAccountRef): string {
  return `${account.thirdServerCode}/${account.userName}/${account.currency}`;
}

/** The key of an INDX trader in the check log: its WMID (one call reads all its balances). */
export function indxAccountKey(account: Pick<IndxVenueAccount, 'wmid'>): string {
  return account.wmid;
}

/**
 * Reads the most overdue of the mapped venue accounts — at most each venue's budget — and
 * compares each with the Reporting balance it mirrors, read then (once per user). The venues are
 * rate-limited, so each is read one account at a time through its paced client (the two venues in
 * parallel); a venue that keeps failing is stopped by the breaker, and every account it could not
 * answer for is `unknown` and stays due. Accounts the venue answered for (found or not) are
 * recorded as checked at the start of the venue's phase, which is never later than the read.
 */
export async function checkVenues(
  ports: VenuePorts,
  internal: InternalBalances,
  schedule: VenueSchedule,
  precision: Precision,
  breaker: CircuitBreaker,
  health: SourceHealthTracker,
): Promise<VenueCheckResult> {
  const run: VenueRun = {
    internal: oncePerUser(internal, health),
    precision,
    breaker,
    health,
    mustStop: schedule.mustStop ?? (() => false),
  };
  const { multiMarkets, indx } = ports;
  const [multimarketsPhase, indxPhase] = await Promise.all([
    multiMarkets &&
      coveragePhase('multimarkets', ports.accounts.multimarkets, multiMarketsAccountKey, schedule, (due) =>
        checkMultiMarkets(multiMarkets, due, run),
      ),
    indx && coveragePhase('indx', ports.accounts.indx, indxAccountKey, schedule, (due, timeLeft) => checkIndx(indx, due, run, timeLeft)),
  ]);
  const finished = [multimarketsPhase, indxPhase].every((phase) => !phase || phase.progress.coverage);
  return {
    verdicts: [...(multimarketsPhase?.verdicts ?? []), ...(indxPhase?.verdicts ?? [])],
    coverage: finished
      ? {
          ...(multimarketsPhase?.progress.coverage && { multimarkets: multimarketsPhase.progress.coverage }),
          ...(indxPhase?.progress.coverage && { indx: indxPhase.progress.coverage }),
        }
      : {},
    finished,
    progress: {
      ...(multimarketsPhase && { multimarkets: multimarketsPhase.progress }),
      ...(indxPhase && { indx: indxPhase.progress }),
    },
  };
}

/** What both venue phases share: the internal figures, the precision, and the run's breaker and health. */
interface VenueRun {
  internal: InternalBalances;
  precision: Precision;
  breaker: CircuitBreaker;
  health: SourceHealthTracker;
  mustStop: () => boolean;
}

/** What one venue's reads gave: the verdicts, the accounts read and those the venue answered for, and whether it stopped to hand over. */
interface VenueReads<T> {
  verdicts: Verdict[];
  read: T[];
  answered: T[];
  stopped: boolean;
}

function noReads<T>(): VenueReads<T> {
  return { verdicts: [], read: [], answered: [], stopped: false };
}

/**
 * The due accounts this invocation reads, in order: each is noted read as it is handed out; the
 * venue's phase ends when `open` says so, and the invocation stops (noted, to hand over) when the
 * run must stop — never before its first account, so every invocation moves the phase on.
 */
function* inTurn<T>(due: readonly T[], reads: VenueReads<T>, mustStop: () => boolean, open: () => boolean = () => true): Generator<T> {
  for (const account of due) {
    if (!open()) return;
    if (reads.read.length > 0 && mustStop()) {
      reads.stopped = true;
      return;
    }
    reads.read.push(account);
    yield account;
  }
}

/**
 * Chooses a venue's due accounts, reads them, records the ones answered and reports the coverage at
 * the end. Resumed after a handover, it chooses among the accounts not read yet with what is left of
 * the budget (the log is unchanged meanwhile, so they are the rest of the first choice, in order);
 * stopped to hand over, it records nothing and returns its progress.
 */
async function coveragePhase<T>(
  source: VenueSource,
  accounts: readonly T[],
  keyOf: (account: T) => string,
  schedule: VenueSchedule,
  read: (due: T[], timeLeft: () => boolean) => Promise<VenueReads<T>>,
): Promise<{ verdicts: Verdict[]; progress: VenuePhaseProgress }> {
  const resumed = schedule.resume?.[source];
  if (resumed?.coverage) return { verdicts: [], progress: resumed };
  const lastChecked = new Map(schedule.log ? await schedule.log.lastChecked(source) : []);
  const startedAt = resumed?.startedAt ?? schedule.clock.now().toISOString();
  const readBefore = new Set(resumed?.read ?? []);
  const budget = schedule.budgets[source];
  const due = pickDueAccounts(
    accounts.filter((account) => !readBefore.has(keyOf(account))),
    keyOf,
    lastChecked,
    (budget ?? accounts.length) - readBefore.size,
  );
  const stopAt = budget === undefined && schedule.runSeconds !== undefined ? Date.parse(startedAt) + schedule.runSeconds * 1000 : Infinity;
  const reads = await read(due, () => schedule.clock.now().getTime() < stopAt);
  const progress: VenuePhaseProgress = {
    startedAt,
    read: [...readBefore, ...reads.read.map(keyOf)],
    answered: [...(resumed?.answered ?? []), ...reads.answered.map(keyOf)],
  };
  if (reads.stopped) return { verdicts: reads.verdicts, progress };
  const keys = progress.answered;
  if (keys.length > 0 && !schedule.readOnly) await schedule.log?.markChecked(source, keys, startedAt);
  for (const key of keys) lastChecked.set(key, startedAt);
  const coverage = venueCoverage({
    keys: accounts.map(keyOf),
    lastChecked,
    checked: keys.length,
    now: schedule.clock.now(),
    windowSeconds: schedule.windowSeconds,
  });
  return { verdicts: reads.verdicts, progress: { startedAt, read: [], answered: [], coverage } };
}

/** Reads each user's Reporting balances at most once, noting Reporting's health. */
function oncePerUser(internal: InternalBalances, health: SourceHealthTracker): InternalBalances {
  const reads = new Map<string, ReturnType<InternalBalances>>();
  return (userId) => {
    let read = reads.get(userId);
    if (!read) {
      read = internal(userId).then((result) => {
        health.note('reporting', result);
        return result;
      });
      reads.set(userId, read);
    }
    return read;
  };
}

/**
 * A venue figure against the internal balance it mirrors (Reporting's, per user, read once per run):
 * `unknown` when Reporting failed for that user.
 */
async function compareMirrored(run: VenueRun, reading: Omit<VenueReading, 'internal'>): Promise<Verdict> {
  const { check, userId, asset } = reading;
  const balances = await run.internal(userId);
  if (!balances.ok) return { check, outcome: 'unknown', userId, asset, reason: `reporting unavailable: ${balances.error.failure}` };
  return venueBalanceCheck({ ...reading, internal: balances.value.find((row) => row.asset === asset)?.amount }, run.precision);
}

async function checkMultiMarkets(
  venue: NonNullable<VenuePorts['multiMarkets']>,
  due: MultiMarketsVenueAccount[],
  run: VenueRun,
): Promise<VenueReads<MultiMarketsVenueAccount>> {
  const { breaker, health } = run;
  const reads = noReads<MultiMarketsVenueAccount>();
  for (const account of inTurn(due, reads, run.mustStop)) {
    const { userId, asset } = account;
    const answer = await breaker.call('multimarkets', () => venue.balance(account));
    health.note('multimarkets', answer);
    const unknown = (reason: string): Verdict => ({ check: 'venue-multimarkets', outcome: 'unknown', userId, asset, reason });
    if (!answer.ok) {
      reads.verdicts.push(unknown(`multimarkets unavailable: ${answer.error.failure}`));
      continue;
    }
    reads.answered.push(account);
    if (!answer.value.found) {
      reads.verdicts.push(unknown(`account not found at MultiMarkets (code ${answer.value.code})`));
      continue;
    }
    reads.verdicts.push(
      await compareMirrored(run, {
        check: 'venue-multimarkets',
        userId,
        asset,
        field: 'amount',
        account: multiMarketsAccountKey(account),
        venueAmount: answer.value.amount,
        venueScale: answer.value.scale,
      }),
    );
  }
  return reads;
}

/**
 * Reads each due trader while time is left. The probe (bad shared credentials cost one call) speaks
 * only for traders on the shared credentials; a trader with its own is read whatever the probe
 * said, and its refused or missing credentials make only its own checks `unknown`.
 */
async function checkIndx(
  venue: IndxVenuePort,
  due: IndxVenueAccount[],
  run: VenueRun,
  timeLeft: () => boolean,
): Promise<VenueReads<IndxVenueAccount>> {
  const { breaker, health } = run;
  const probe = venue.probe ? await breaker.call('indx', venue.probe) : undefined;
  if (probe) health.note('indx', probe);
  const reads = noReads<IndxVenueAccount>();
  for (const account of inTurn(due, reads, run.mustStop, timeLeft)) {
    const shared = !hasOwnCredentials(account);
    const answer: Settled<IndxBalance> = shared && probe && !probe.ok ? probe : await breaker.call('indx', () => venue.balance(account));
    if (answer !== probe) health.note('indx', answer);
    if (answer.ok) reads.answered.push(account);
    reads.verdicts.push(...(await indxVerdicts(run, account, answer)));
  }
  return reads;
}

/** The verdicts of one trader's figures (`wmz`, each instrument's notes) from its answer. */
async function indxVerdicts(run: VenueRun, account: IndxVenueAccount, answer: Settled<IndxBalance>): Promise<Verdict[]> {
  const { userId, wmid } = account;
  const figures = [
    { field: 'wmz', asset: account.wmz, read: (balance: IndxBalance & { found: true }) => balance.wmz },
    ...account.instruments.map((instrument) => ({
      field: 'notes',
      asset: instrument.asset,
      // An instrument the portfolio does not list is not held: zero notes.
      read: (balance: IndxBalance & { found: true }) => balance.portfolio.find((held) => held.id === instrument.id)?.notes ?? Amount.ZERO,
    })),
  ];
  const verdicts: Verdict[] = [];
  for (const { field, asset, read } of figures) {
    const unknown = (reason: string): Verdict => ({ check: 'venue-indx', outcome: 'unknown', userId, asset, reason });
    if (!answer.ok) verdicts.push(unknown(unavailableReason(answer.error, wmid)));
    else if (!answer.value.found) verdicts.push(unknown('WMID not found at INDX (code -3)'));
    else {
      verdicts.push(
        await compareMirrored(run, {
          check: 'venue-indx',
          userId,
          asset,
          field,
          account: wmid,
          venueAmount: read(answer.value),
          venueScale: undefined,
        }),
      );
    }
  }
  return verdicts;
}

/** Why a trader's checks are `unknown`: the failure kind, and for a trader's own credentials which WMID and what (never a value). */
function unavailableReason(error: SourceError, wmid: string): string {
  if (error.failure === 'credentials') return `indx credentials unavailable: ${error.message.replace(/^indx Balance: credentials: /, '')}`;
  if (error.accountOnly) return `indx refused WMID ${wmid}'s credentials: ${error.message.replace(/^indx Balance: upstream-error: /, '')}`;
  return `indx unavailable: ${error.failure}`;
}
