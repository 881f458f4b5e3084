import { type Discrepancy, toDiscrepancy } from '../domain/discrepancy';
import { Amount } from '../domain/money';
import { type SeverityThresholds, severityOf } from '../domain/severity';
import type { MismatchVerdict, Verdict } from '../domain/verdict';
import type { RunPlan, ShardTally } from '../ports/run-state';
import { SUMMARY_ITEM_LIMIT } from '../ports/run-summary';
import type { RunEffects } from './run-effects';
import { inScope } from './run-scope';
import { discrepancyRef } from './run-summary';
/**
 * Where verdicts go, in a shard and in the run's final phase alike: counted per check and outcome;
 * each mismatch valued in the root asset, graded, listed (up to the summary's limit) and handed to
 * the lifecycle; each match offered to the lifecycle to resolve.
 */
export class VerdictSink {
  constructor(
    private readonly plan: RunPlan,
    private readonly tally: ShardTally,
    private readonly effects: RunEffects,
    private readonly settings: { severity: SeverityThresholds },
  ) {}

  async settle(all: Verdict[]): Promise<void> {
    const scope = this.plan.scope;
    const verdicts = scope ? all.filter((verdict) => inScope(scope, verdict)) : all;
    for (const verdict of verdicts) {
      this.tally.checks[verdict.check][verdict.outcome]++;
      this.effects.match(verdict);
    }
    await this.effects.findings(verdicts.filter((verdict) => verdict.outcome === 'mismatch').map((verdict) => this.record(verdict)));
  }

  private record(verdict: MismatchVerdict): Discrepancy {
    const rate = this.tally.rates[verdict.asset];
    // Root-asset figures are already in the root asset; every other finding is per asset (presence included).
    const differenceInRoot =
      verdict.check === 'root-asset' ? verdict.difference : rate ? verdict.difference.times(Amount.parse(rate)) : undefined;
    const severity = severityOf(differenceInRoot, this.settings.severity);
    const discrepancy = toDiscrepancy(verdict, this.plan.runId, new Date(this.plan.startedAt), { differenceInRoot, severity });
    this.tally.discrepancies++;
    if (this.tally.items.length < SUMMARY_ITEM_LIMIT) this.tally.items.push(discrepancyRef(discrepancy));
    return discrepancy;
  }
}
