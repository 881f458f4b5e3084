import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { MiddlewareObj } from '@middy/core';
import { lambdaLogger } from '../handlers/lambda-logger';
import type { RunMetrics } from '../ports/metrics';
import type { UpstreamPressure } from '../sources/pacing/upstream-pressure';

/**
 * What every function uses first: Powertools' Lambda context on every log line (request id,
 * function name, cold start), the invocation's appended keys (`runId`, `shard`) cleared when it
 * ends, and, for a run function (`upstreams`: its wiring once built), the upstream pressure it met
 * (429s, 418s, retries) written as metrics, whether it succeeded or failed.
 */
export function observe(upstreams?: () => UpstreamsMet | undefined): MiddlewareObj[] {
  const context = injectLambdaContext(lambdaLogger, { resetKeys: true }) as MiddlewareObj;
  return upstreams ? [context, upstreamPressureMetrics(upstreams)] : [context];
}

/** Where a run function counts the upstream pressure it met, and the metrics it writes it to. */
export interface UpstreamsMet {
  pressure: UpstreamPressure;
  metrics: RunMetrics;
}

/** Drains the container's upstream pressure into its run metrics at the end of each invocation (once it is wired). */
function upstreamPressureMetrics(upstreams: () => UpstreamsMet | undefined): MiddlewareObj {
  const report = () => {
    const wiring = upstreams();
    if (wiring) wiring.metrics.upstreamPressure(wiring.pressure.drain());
  };
  return { name: 'upstreamPressureMetrics', after: report, onError: report };
}
