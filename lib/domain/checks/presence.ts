import { Amount } from '../money';
import { mismatch, type Verdict } from '../verdict';

/**
 * What the back office says about one user: the amounts it holds per asset, or that it does not
 * know the user (`User with id:… not found.`) — from the bulk `POST /balances` entry or a 404 of
 * `GET /user/{userId}/balance/`, whichever read said so; `message` is the back office's own words.
 */
export type BackOfficePresence = { found: true; amounts: ReadonlyMap<string, Amount> } | { found: false; message: string };

/** One user as both sources see them; a side is undefined when that source failed for the user. */
export interface PresenceInput {
  userId: string;
  reporting: ReadonlyMap<string, Amount> | undefined;
  backOffice: BackOfficePresence | undefined;
}

/**
 * `presence`, per user × asset: a non-zero balance one source holds and the other does not
 * (`absent-from-reporting`, `absent-from-backoffice`; a zero balance may be left out by either). A
 * user the back office does not know holds nothing there: each non-zero Reporting balance is a
 * `user-not-found` finding with that amount as expected and 0 as actual, so it is valued and graded
 * like any other position. When both sources could be read, a user-level match (asset `*`) says the
 * user was compared in full: any presence discrepancy of theirs not found again is resolved.
 *
 * @example
 * // back office holds 0.1 eth for u1, Reporting lists no eth for u1 → mismatch absent-from-reporting
 * // back office: "User with id:u1 not found.", Reporting: 1 btc, 5 usdt → user-not-found on btc and usdt
 */
export function presenceChecks(input: PresenceInput): Verdict[] {
  const { userId, reporting, backOffice } = input;
  if (!reporting || !backOffice) return [];
  const verdicts: Verdict[] = [];
  const missing = (asset: string, field: string, amount: Amount, evidence: Record<string, string>): Verdict =>
    mismatch({ check: 'presence', userId, asset }, field, amount, Amount.ZERO, evidence);
  const onlyIn = (
    held: ReadonlyMap<string, Amount>,
    other: ReadonlyMap<string, Amount> | undefined,
    record: (asset: string, amount: Amount) => Verdict,
  ) => {
    for (const [asset, amount] of held) if (!other?.has(asset) && !amount.isZero()) verdicts.push(record(asset, amount));
  };
  if (backOffice.found) {
    onlyIn(backOffice.amounts, reporting, (asset, amount) =>
      missing(asset, 'absent-from-reporting', amount, { 'backoffice.amount': amount.toString() }),
    );
    onlyIn(reporting, backOffice.amounts, (asset, amount) =>
      missing(asset, 'absent-from-backoffice', amount, { 'reporting.assetAmount': amount.toString() }),
    );
  } else {
    onlyIn(reporting, undefined, (asset, amount) =>
      missing(asset, 'user-not-found', amount, { 'reporting.assetAmount': amount.toString(), 'backoffice.error': backOffice.message }),
    );
  }
  verdicts.push({ check: 'presence', outcome: 'match', userId, asset: '*' });
  return verdicts;
}
