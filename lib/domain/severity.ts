import { Amount } from './money';

/** How urgent a discrepancy is, by the size of its difference in the root asset. */
export type Severity = 'low' | 'medium' | 'high' | 'critical';

/** The root-asset value from which a difference is medium, high, critical (below medium it is low). */
export interface SeverityThresholds {
  medium: Amount;
  high: Amount;
  critical: Amount;
}

/** The defaults, in root-asset units (e.g. USD): 100, 10 000, 1 000 000. */
export const DEFAULT_SEVERITY_THRESHOLDS: SeverityThresholds = {
  medium: Amount.parse('100'),
  high: Amount.parse('10000'),
  critical: Amount.parse('1000000'),
};

/**
 * The severity of a difference worth `valueInRoot` in the root asset. A difference that cannot be
 * valued (no rate) is `medium`: not dismissed, not escalated.
 *
 * @example
 * severityOf(Amount.parse('250'), DEFAULT_SEVERITY_THRESHOLDS) // 'medium'
 */
export function severityOf(valueInRoot: Amount | undefined, thresholds: SeverityThresholds): Severity {
  if (!valueInRoot) return 'medium';
  const value = valueInRoot.abs();
  if (value.compare(thresholds.critical) >= 0) return 'critical';
  if (value.compare(thresholds.high) >= 0) return 'high';
  if (value.compare(thresholds.medium) >= 0) return 'medium';
  return 'low';
}
