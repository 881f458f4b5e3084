import type { Amount } from '../money';
import type { Precision } from '../precision';
import { mismatch, type Verdict } from '../verdict';

/** A balance's three figures as one source states them: total, locked and available. */
export interface SplitFigures {
  amount: Amount;
  locked: Amount;
  available: Amount;
}

/** A balance as one source splits it: total, locked and available. */
export interface SplitBalance extends SplitFigures {
  userId: string;
  asset: string;
}

/** One source's split of a position: its figures, or why they could not be read (the source failed, or lacks one of them). */
export type SplitSide = SplitFigures | { unknown: string };

/**
 * One position as every source holding it splits it. A side left out means that source does not
 * hold the position (it was read and lists no such balance).
 */
export interface PositionSplits {
  userId: string;
  asset: string;
  /** Reporting `users/balances`: `assetAmount`, `lockedAssetAmount`, `availableAssetAmount`. */
  reporting?: SplitSide;
  /** The back office: `amount` and `locked` of `POST /balances`, `balance` of `GET …/balance/` (the available funds). */
  backOffice?: SplitSide;
}

/** The field a discrepancy names per source: Reporting's own field name, the back office's prefixed (its `amount`). */
export const SPLIT_FIELDS = { reporting: 'assetAmount', backOffice: 'backoffice.amount' } as const;

/** The evidence prefix per source (`reporting.amount`, `backoffice.amount`, …). */
const EVIDENCE_SOURCE = { reporting: 'reporting', backOffice: 'backoffice' } as const;

type Source = keyof typeof SPLIT_FIELDS;
const SOURCES: readonly Source[] = ['reporting', 'backOffice'];

/**
 * `amount-split`: in every source that holds a position, its total equals its locked plus its
 * available part — Reporting `assetAmount = lockedAssetAmount + availableAssetAmount`, the back
 * office `amount` (POST) `= locked` (POST) `+ balance` (GET) — judged at the asset's scale.
 * Expected is `locked + available`, actual is the total. One verdict per position: a mismatch
 * when either source's split is off (Reporting's field first; the evidence carries both sources'
 * figures); `unknown` when a source's split could not be judged and none is off; `match` only when
 * every source holding the position was read and splits.
 *
 * @example
 * amountSplitCheck({ userId, asset: 'eth',
 *   reporting: { amount: 79999.098000000000000001, locked: 1, available: 79998.098000000000000001 },
 *   backOffice: { amount: 10, locked: 0, available: 10 } }, precision) // → match
 */
export function amountSplitCheck(position: PositionSplits, precision: Precision): Verdict {
  const { userId, asset } = position;
  let unknown: string | undefined;
  for (const source of SOURCES) {
    const side = position[source];
    if (!side) continue;
    if ('unknown' in side) {
      unknown ??= `${EVIDENCE_SOURCE[source]}: ${side.unknown}`;
      continue;
    }
    const expected = side.locked.plus(side.available);
    if (!precision.differs('amount-split', asset, side.amount.minus(expected), expected)) continue;
    return mismatch({ check: 'amount-split', userId, asset }, SPLIT_FIELDS[source], expected, side.amount, evidenceOf(position));
  }
  if (unknown) return { check: 'amount-split', outcome: 'unknown', userId, asset, reason: unknown };
  return { check: 'amount-split', outcome: 'match', userId, asset };
}

/** Every source's figures of the position (`reporting.amount`, `backoffice.available`, …), and why a side is missing. */
function evidenceOf(position: PositionSplits): Record<string, string> {
  const evidence: Record<string, string> = {};
  for (const source of SOURCES) {
    const side = position[source];
    if (!side) continue;
    if ('unknown' in side) evidence[`${EVIDENCE_SOURCE[source]}.unknown`] = side.unknown;
    else Object.assign(evidence, splitEvidence(side, EVIDENCE_SOURCE[source]));
  }
  return evidence;
}

/** A split balance's figures as evidence: `source.amount`, `source.locked`, `source.available`. */
export function splitEvidence({ amount, locked, available }: SplitFigures, source: string): Record<string, string> {
  return {
    [`${source}.amount`]: amount.toString(),
    [`${source}.locked`]: locked.toString(),
    [`${source}.available`]: available.toString(),
  };
}
