/**
 * An independent oracle of the product's checks, for the sandbox tests: it reads the book the way the product does
 * (through the sandbox's Reporting and back-office handlers, plus the venue accounts), and re-derives with decimal.js
 * what every check says about every user × asset, as the brief specifies them. Not a test file itself.
 */
import Decimal from 'decimal.js';
import { parse as parseLossless } from 'lossless-json';
import { createBackOfficeHandlers } from '../../../sandbox/back-office';
import type { Book } from '../../../sandbox/book-types';
import { SANDBOX_BACKOFFICE_TOKEN, SANDBOX_REPORTING_TOKEN } from '../../../sandbox/credentials';
import type { SandboxResponse } from '../../../sandbox/http-kit';
import { createReportingHandler } from '../../../sandbox/reporting-api';

const D = Decimal.clone({ precision: 200, rounding: Decimal.ROUND_HALF_UP });
type Dec = InstanceType<typeof D>;

/** Roles whose balances Reporting totals count. */
const COUNTED = new Set(['Trader', 'User', 'Market Maker']);
const ASSET_IDS = ['usd', 'usdt', 'btc', 'eth', 'ada', 'shib'];
/** The grace window before as-of inside which an unreflected row is in flight. */
export const GRACE_MS = 15 * 60_000;

/** A failing check on one key: `check|userId|asset` (`*` for user- or asset-level checks). */
export interface Finding {
  check: string;
  userId: string;
  asset: string;
  field: string;
  expected: string;
  actual: string;
  difference: string;
}

/** A roll-forward difference the grace-window rows explain. */
export interface InFlightFinding {
  userId: string;
  asset: string;
  explainedBy: string[];
  difference: string;
}

/** What every check says about a book. */
export interface OracleVerdicts {
  findings: Finding[];
  inFlight: InFlightFinding[];
  /** not findings: per asset, the non-zero holdings of users whose roles the Reporting totals leave out */
  outsideTotals: Record<string, { users: number; amount: string }>;
}

// biome-ignore lint/suspicious/noExplicitAny: report rows are loosely shaped JSON
type Row = Record<string, any>;

const text = (d: Dec): string => d.toFixed();
const finding = (check: string, userId: string, asset: string, field: string, expected: Dec, actual: Dec): Finding => ({
  check,
  userId,
  asset,
  field,
  expected: text(expected),
  actual: text(actual),
  difference: text(actual.minus(expected)),
});

/** Epoch µs of an ISO timestamp with up to six fractional digits. */
function micros(iso: string): number {
  const m = /^(.*T\d{2}:\d{2}:\d{2})(?:\.(\d{1,6}))?Z$/.exec(iso);
  if (!m) throw new Error(`unexpected timestamp ${iso}`);
  return Date.parse(`${m[1]}Z`) * 1000 + Number((m[2] ?? '').padEnd(6, '0'));
}

/** A handler request as the sandbox's HTTP server hands it over, with a bearer token and a JSON body. */
const handlerRequest = (token: string, body: unknown) => ({
  method: 'POST',
  path: '/',
  headers: { authorization: `Bearer ${token}` },
  body: JSON.stringify(body),
  remoteAddress: '127.0.0.1',
});

/**
 * Every row of a paged answer, page by page (`answerPage(page)`), at the page size the server answers
 * (it caps what is asked, 15 by default): stops at `page × per_page ≥ total` or an empty page.
 */
function pagedRows(what: string, answerPage: (page: number) => SandboxResponse): Row[] {
  const rows: Row[] = [];
  for (let page = 1; ; page++) {
    const answer = answerPage(page);
    if (answer.status !== 200) throw new Error(`${what}: ${answer.status} ${answer.body}`);
    const parsed = JSON.parse(answer.body) as { data: Row[]; paging: { total: number; per_page?: number; perPage?: number } };
    rows.push(...parsed.data);
    const perPage = parsed.paging.per_page ?? parsed.paging.perPage ?? Number.POSITIVE_INFINITY;
    if (parsed.data.length === 0 || page * perPage >= parsed.paging.total) return rows;
  }
}

/** Every row of a Reporting report matching `filters`, page by page through the sandbox's handler. */
export function reportRows(reporting: ReturnType<typeof createReportingHandler>, name: string, filters: unknown[] = []): Row[] {
  return pagedRows(name, (page) => reporting(handlerRequest(SANDBOX_REPORTING_TOKEN, { filters, paging: { page, per_page: 1000 } }), name));
}

/** Reads the book through the upstream handlers, as the product would over HTTP. */
function readSources(book: Book) {
  const reporting = createReportingHandler(book);
  const backOffice = createBackOfficeHandlers(book);
  const report = (name: string, filters: unknown[] = []) => reportRows(reporting, name, filters);
  const byUser = (userId: string) => [{ entryType: 'Exact', field: 'userId', values: [userId] }];
  const users = report('users');
  const balances = new Map(users.map((u) => [u.userId as string, report('users/balances', byUser(u.userId))]));
  const opened = new Map(users.map((u) => [u.userId as string, report('orders/opened', byUser(u.userId))]));
  const transfers = report('transfers');
  const trades = report('orders/transactions', [{ entryType: 'Exact', field: 'commissionAssetId', values: ASSET_IDS }]);
  const assetTotals = report('assets-and-balances');
  const ids = users.map((u) => u.userId as string);
  const backOfficeByUser = new Map<string, Row>();
  for (let from = 0; from < ids.length; from += 1000) {
    const userIds = ids.slice(from, from + 1000);
    const entries = pagedRows('back office', (page) =>
      backOffice.balances(handlerRequest(SANDBOX_BACKOFFICE_TOKEN, { userIds, paging: { page, per_page: 1000 } })),
    );
    for (const entry of entries) backOfficeByUser.set(entry.userId as string, entry);
  }
  // GET …/balance/ per user: the available funds, JSON numbers kept as their exact text; a 404 is an unknown user
  const availableByUser = new Map<string, Map<string, string> | undefined>();
  for (const userId of ids) {
    const answer = backOffice.userBalance({ ...handlerRequest(SANDBOX_BACKOFFICE_TOKEN, undefined), method: 'GET', body: '' }, userId);
    if (answer.status !== 200 && answer.status !== 404) throw new Error(`back office GET: ${answer.status} ${answer.body}`);
    const rows = answer.status === 404 ? undefined : (parseLossless(answer.body, null, (digits) => digits) as Row[]);
    availableByUser.set(userId, rows && new Map(rows.map((row) => [row.asset as string, row.balance as string])));
  }
  return { users, balances, opened, transfers, trades, assetTotals, backOfficeByUser, availableByUser };
}

/**
 * The back office's split of a position, when it is off: POST `amount` against POST `locked` + GET `balance` (one
 * finding per position, so only where Reporting's split holds).
 */
function backOfficeSplitOff(src: ReturnType<typeof readSources>, userId: string, asset: string): Finding | undefined {
  const entry = src.backOfficeByUser.get(userId);
  const row = (entry?.balances as Row[] | undefined)?.find((b) => b.asset === asset);
  const available = src.availableByUser.get(userId)?.get(asset);
  if (!row || available === undefined) return undefined;
  const expected = new D(row.locked).plus(available);
  return expected.eq(row.amount) ? undefined : finding('amount-split', userId, asset, 'backoffice.amount', expected, new D(row.amount));
}

/** What each check says about every user × asset of `book`, run as of `book.asOf`. */
export function runChecks(book: Book): OracleVerdicts {
  const src = readSources(book);
  const findings: Finding[] = [];
  const inFlight: InFlightFinding[] = [];
  const asOf = micros(book.asOf);
  const graceStart = asOf - GRACE_MS * 1000;

  // history flows per user × asset, up to as-of, with the ids of the rows inside the grace window
  const flows = new Map<string, { total: Dec; recent: Dec; recentIds: Set<string> }>();
  const flow = (userId: string, asset: string, amount: Dec, at: string, id: string) => {
    const t = micros(at);
    if (t > asOf) return;
    const key = `${userId}|${asset}`;
    const entry = flows.get(key) ?? { total: new D(0), recent: new D(0), recentIds: new Set<string>() };
    entry.total = entry.total.plus(amount);
    if (t >= graceStart) {
      entry.recent = entry.recent.plus(amount);
      entry.recentIds.add(id);
    }
    flows.set(key, entry);
  };
  for (const t of src.transfers) {
    if (t.status !== 'Completed') continue;
    const amount = new D(t.assetAmount);
    flow(t.userId, t.assetId, t.type === 'Deposit' ? amount : amount.neg(), t.createdAt, t.id);
  }
  for (const t of src.trades) {
    const [base, quote] = (t.marketId as string).split('_') as [string, string];
    const buy = t.side === 'Buy';
    flow(t.userId, base, buy ? new D(t.baseAmount) : new D(t.baseAmount).neg(), t.executedAt, t.executionId);
    flow(t.userId, quote, buy ? new D(t.quoteAmount).neg() : new D(t.quoteAmount), t.executedAt, t.executionId);
    flow(t.userId, t.commissionAssetId, new D(t.commissionAmount).neg(), t.executedAt, t.executionId);
  }
  const pendingWithdrawals = new Map<string, Dec>();
  for (const t of src.transfers) {
    if (t.type !== 'Withdrawal' || (t.status !== 'Pending' && t.status !== 'AwaitingConfirmation')) continue;
    const key = `${t.userId}|${t.assetId}`;
    pendingWithdrawals.set(key, (pendingWithdrawals.get(key) ?? new D(0)).plus(t.assetAmount));
  }

  const countedTotals = new Map<string, Dec>(ASSET_IDS.map((a) => [a, new D(0)]));
  const outsideTotals = new Map<string, { users: number; amount: Dec }>();
  for (const user of src.users) {
    const userId = user.userId as string;
    const rows = src.balances.get(userId) ?? [];
    const counted = (user.roles as string[]).some((r) => COUNTED.has(r));
    const reserved = new Map<string, Dec>();
    for (const o of src.opened.get(userId) ?? []) {
      const [base, quote] = (o.marketId as string).split('_') as [string, string];
      const [asset, amount] = o.side === 'Buy' ? [quote, new D(o.remainingAmount).times(o.limitPrice)] : [base, new D(o.remainingAmount)];
      reserved.set(asset, (reserved.get(asset) ?? new D(0)).plus(amount));
    }
    let ratSum = new D(0);
    for (const row of rows) {
      const asset = row.assetId as string;
      const key = `${userId}|${asset}`;
      const amount = new D(row.assetAmount);
      const locked = new D(row.lockedAssetAmount);
      const available = new D(row.availableAssetAmount);
      const inRat = new D(row.assetAmountInRAT);
      ratSum = ratSum.plus(inRat);
      if (counted) countedTotals.set(asset, (countedTotals.get(asset) as Dec).plus(amount));

      const splitFails = !amount.eq(locked.plus(available));
      if (splitFails) findings.push(finding('amount-split', userId, asset, 'assetAmount', locked.plus(available), amount));
      else {
        const off = backOfficeSplitOff(src, userId, asset);
        if (off) findings.push(off);
      }

      const history = flows.get(key);
      const expected = history?.total ?? new D(0);
      if (!amount.eq(expected)) {
        if (history && history.recentIds.size > 0 && amount.eq(expected.minus(history.recent)))
          inFlight.push({ userId, asset, explainedBy: [...history.recentIds].sort(), difference: text(amount.minus(expected)) });
        else findings.push(finding('roll-forward', userId, asset, 'assetAmount', expected, amount));
      }

      const lockExpected = (reserved.get(asset) ?? new D(0)).plus(pendingWithdrawals.get(key) ?? 0);
      if (!locked.eq(lockExpected)) findings.push(finding('locked-orders', userId, asset, 'lockedAssetAmount', lockExpected, locked));

      // what the figure should read: the product rounded half-up to 8 decimals; the split within its one-unit rounding
      const publishedRat = amount.times(row.rateToRootAsset).toDecimalPlaces(8, Decimal.ROUND_HALF_UP);
      const split = new D(row.lockedAssetAmountInRAT).plus(row.availableAssetAmountInRAT);
      if (!inRat.eq(publishedRat)) findings.push(finding('root-asset', userId, asset, 'assetAmountInRAT', publishedRat, inRat));
      else if (!splitFails && split.minus(inRat).abs().gt('0.00000001'))
        findings.push(finding('root-asset', userId, asset, 'splitInRAT', inRat, split));

      if (amount.isNegative()) findings.push(finding('sanity', userId, asset, 'amount', new D(0), amount));
      else if (locked.isNegative()) findings.push(finding('sanity', userId, asset, 'locked', new D(0), locked));
      else if (available.isNegative()) findings.push(finding('sanity', userId, asset, 'available', new D(0), available));
      else if (locked.gt(amount)) findings.push(finding('sanity', userId, asset, 'locked', amount, locked));
    }

    const totalBalance = new D(user.totalBalanceInRAT);
    const bo = src.backOfficeByUser.get(userId);
    const known = bo !== undefined && bo.error === undefined;
    if (!totalBalance.eq(ratSum)) findings.push(finding('root-asset', userId, '*', 'totalBalanceInRAT', ratSum, totalBalance));
    else if (known && bo.totalFundsInRootAsset !== undefined) {
      const funds = (bo.balances as Row[]).reduce<Dec>((s, b) => s.plus(b.fundsInRootAsset), new D(0));
      if (!funds.eq(bo.totalFundsInRootAsset))
        findings.push(finding('root-asset', userId, '*', 'totalFundsInRootAsset', funds, new D(bo.totalFundsInRootAsset)));
    }

    // presence: each asset a user the back office does not know holds in Reporting, then positions one source lacks
    if (!known) {
      for (const r of rows)
        if (!new D(r.assetAmount).isZero())
          findings.push(finding('presence', userId, r.assetId, 'user-not-found', new D(r.assetAmount), new D(0)));
    } else {
      const boByAsset = new Map((bo.balances as Row[]).map((b) => [b.asset as string, b]));
      const repByAsset = new Map(rows.map((r) => [r.assetId as string, r]));
      for (const [asset, b] of boByAsset) {
        if (repByAsset.has(asset)) continue;
        findings.push(finding('presence', userId, asset, 'absent-from-reporting', new D(b.amount), new D(0)));
        const off = backOfficeSplitOff(src, userId, asset);
        if (off) findings.push(off);
      }
      for (const [asset, r] of repByAsset) {
        const b = boByAsset.get(asset);
        if (!b) {
          findings.push(finding('presence', userId, asset, 'absent-from-backoffice', new D(r.assetAmount), new D(0)));
          continue;
        }
        const [boAmount, boLocked] = [new D(b.amount), new D(b.locked)];
        if (!boAmount.eq(r.assetAmount)) findings.push(finding('cross-source', userId, asset, 'amount', new D(r.assetAmount), boAmount));
        else if (!boLocked.eq(r.lockedAssetAmount))
          findings.push(finding('cross-source', userId, asset, 'locked', new D(r.lockedAssetAmount), boLocked));
      }
    }
    // a Bot or Admin holding funds is no finding: the holding is outside the totals, as the document says
    if (!counted)
      for (const r of rows) {
        if (new D(r.assetAmount).isZero()) continue;
        const sum = outsideTotals.get(r.assetId) ?? { users: 0, amount: new D(0) };
        outsideTotals.set(r.assetId, { users: sum.users + 1, amount: sum.amount.plus(r.assetAmount) });
      }
  }

  for (const row of src.assetTotals) {
    const expected = countedTotals.get(row.assetId) ?? new D(0);
    if (!expected.eq(row.assetAmount))
      findings.push(finding('asset-totals', '*', row.assetId, 'assetAmount', expected, new D(row.assetAmount)));
  }

  // venues: MultiMarkets mirrors the amount truncated to amount_digits; INDX wmz the usd amount, notes the asset amount
  const reportingAmount = new Map<string, Dec>();
  for (const [userId, rows] of src.balances) for (const r of rows) reportingAmount.set(`${userId}|${r.assetId}`, new D(r.assetAmount));
  for (const a of book.multiMarketsAccounts) {
    const expected = reportingAmount.get(`${a.userId}|${a.asset}`);
    if (!expected) continue;
    const venue = new D(a.amount.toString()).div(new D(10).pow(a.amountDigits));
    if (!venue.eq(expected.toDecimalPlaces(a.amountDigits, Decimal.ROUND_DOWN)))
      findings.push(finding('venue-multimarkets', a.userId, a.asset, 'amount', expected, venue));
  }
  for (const a of book.indxAccounts) {
    const usd = reportingAmount.get(`${a.userId}|usd`);
    const wmz = new D(a.wmz.toString()).div(100);
    if (usd && !usd.eq(wmz)) findings.push(finding('venue-indx', a.userId, 'usd', 'wmz', usd, wmz));
    for (const i of a.portfolio) {
      const expected = reportingAmount.get(`${a.userId}|${i.asset}`);
      const notes = new D(i.notes.toString()).div(new D(10).pow(i.scale));
      if (expected && !expected.eq(notes)) findings.push(finding('venue-indx', a.userId, i.asset, 'notes', expected, notes));
    }
  }
  const outside = Object.fromEntries(
    [...outsideTotals].sort(([a], [b]) => (a < b ? -1 : 1)).map(([asset, sum]) => [asset, { users: sum.users, amount: text(sum.amount) }]),
  );
  return { findings, inFlight, outsideTotals: outside };
}

/** `check|userId|asset` of a finding or a plant. */
export const findingKey = (d: { check: string; userId: string; asset: string }): string => `${d.check}|${d.userId}|${d.asset}`;
