import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { PressureReport, RunMetrics } from '../ports/metrics';
import type { RunSummary } from '../ports/run-summary';
import { type MetricPoint, pressurePoints, runEndedPoints } from '../runs/run-metrics';

/** The CloudWatch namespace of every metric of the service. */
export const METRICS_NAMESPACE = 'BalanceRecon';

/**
 * {@link RunMetrics} as CloudWatch Embedded Metric Format lines on stdout, through Powertools
 * Metrics: Lambda's log stream carries them to CloudWatch, which extracts the metrics (no API
 * call, no permission). Every point carries the dimensions `service` and `stage` and its own; each
 * is written as it is reported (a single-metric document), so nothing waits for a flush that a
 * crashed invocation would never reach.
 */
export class PowertoolsRunMetrics implements RunMetrics {
  private readonly metrics: Metrics;

  /** `metrics` for tests; by default one for the namespace, `service` and `stage`. */
  constructor(options: { serviceName: string; stage: string; metrics?: Metrics }) {
    this.metrics =
      options.metrics ??
      new Metrics({ namespace: METRICS_NAMESPACE, serviceName: options.serviceName, defaultDimensions: { stage: options.stage } });
  }

  runEnded(summary: RunSummary): void {
    this.write(runEndedPoints(summary));
  }

  upstreamPressure(report: PressureReport): void {
    this.write(pressurePoints(report));
  }

  private write(points: MetricPoint[]): void {
    for (const point of points) {
      const single = this.metrics.singleMetric();
      for (const [name, value] of Object.entries(point.dimensions)) single.addDimension(name, value);
      single.addMetric(point.name, point.unit === 'Count' ? MetricUnit.Count : MetricUnit.Milliseconds, point.value);
    }
  }
}
