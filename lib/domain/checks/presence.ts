import { Amount } from '../money';
import { mismatch, type Verdict } from '../verdict';
import { isCounted } from './asset-totals';

/** One user as both sources see them; a side is undefined when that source failed for the user. */
export interface PresenceInput {
  userId: string;
  roles: readonly string[];
  /** Reporting's total in root asset, shown for a user the totals skip. */
  totalInRoot: Amount | undefined;
  reporting: ReadonlyMap<string, Amount> | undefined;
  backOffice: { found: true; amounts: ReadonlyMap<string, Amount> } | { found: false; message: string } | undefined;
}

/**
 * `presence`: a user × asset present in one source and absent from the other (`absent-from-reporting`,
 * `absent-from-backoffice`; a zero balance may be left out by either); a user the back office does not
 * know (`user-not-found`, asset `*`); a user holding balances whose roles keep them out of the
 * Reporting totals (`role-excluded`, asset `*`, actual = their total in root asset).
 *
 * @example
 * // back office holds 0.1 eth for u1, Reporting lists no eth for u1 → mismatch absent-from-reporting
 */
export function presenceChecks(input: PresenceInput): Verdict[] {
  const { userId, reporting, backOffice } = input;
  const verdicts: Verdict[] = [];
  const missing = (asset: string, field: string, expected: Amount, actual: Amount, evidence: Record<string, string>): Verdict =>
    mismatch({ check: 'presence', userId, asset }, field, expected, actual, evidence);
  if (backOffice && !backOffice.found) {
    verdicts.push(missing('*', 'user-not-found', Amount.ZERO, Amount.ZERO, { 'backoffice.error': backOffice.message }));
  } else if (reporting && backOffice) {
    for (const [asset, amount] of backOffice.amounts) {
      if (!reporting.has(asset) && !amount.isZero())
        verdicts.push(missing(asset, 'absent-from-reporting', amount, Amount.ZERO, { 'backoffice.amount': amount.toString() }));
    }
    for (const [asset, amount] of reporting) {
      if (!backOffice.amounts.has(asset) && !amount.isZero())
        verdicts.push(missing(asset, 'absent-from-backoffice', amount, Amount.ZERO, { 'reporting.assetAmount': amount.toString() }));
    }
  }
  if (
    reporting &&
    !isCounted(input.roles) &&
    [...reporting.values()].some((amount) => !amount.isZero()) &&
    !(backOffice && !backOffice.found)
  ) {
    const inRoot = input.totalInRoot ?? Amount.ZERO;
    verdicts.push(
      missing('*', 'role-excluded', Amount.ZERO, inRoot, {
        'reporting.roles': input.roles.join(', '),
        'reporting.totalBalanceInRAT': inRoot.toString(),
      }),
    );
  }
  if (verdicts.length === 0 && reporting && backOffice) verdicts.push({ check: 'presence', outcome: 'match', userId, asset: '*' });
  return verdicts;
}
