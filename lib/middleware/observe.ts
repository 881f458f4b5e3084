import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { MiddlewareObj } from '@middy/core';
import { builtWiring, lambdaLogger } from '../handlers/container';

/**
 * What every function uses first: Powertools' Lambda context on every log line (request id,
 * function name, cold start), the invocation's appended keys (`runId`, `shard`) cleared when it
 * ends, and the upstream pressure it met (429s, 418s, retries) written as metrics, whether it
 * succeeded or failed.
 */
export function observe(): MiddlewareObj[] {
  return [injectLambdaContext(lambdaLogger, { resetKeys: true }) as MiddlewareObj, upstreamPressureMetrics()];
}

/** Drains the container's upstream pressure into its run metrics at the end of each invocation. */
function upstreamPressureMetrics(): MiddlewareObj {
  const report = () => {
    const wiring = builtWiring();
    if (wiring) wiring.metrics.upstreamPressure(wiring.pressure.drain());
  };
  return { name: 'upstreamPressureMetrics', after: report, onError: report };
}
