import { afterEach, describe, expect, it, vi } from 'vitest';
import { METRICS_NAMESPACE, PowertoolsRunMetrics } from '../../../lib/metrics/powertools-run-metrics';
import type { RunSummary } from '../../../lib/ports/run-summary';

/** The lines written to stdout while `act` runs. */
function stdoutOf(act: () => void): string[] {
  const lines: string[] = [];
  const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    lines.push(...String(chunk).split('\n').filter(Boolean));
    return true;
  });
  try {
    act();
  } finally {
    write.mockRestore();
  }
  return lines;
}

/**
 * What CloudWatch requires of an EMF document (the Embedded Metric Format specification): an `_aws`
 * member with a millisecond `Timestamp` and `CloudWatchMetrics` directives, each naming a
 * namespace, dimension sets of at most 30 names and metrics with a name and a unit; every
 * dimension a string member of the document, every metric a number member.
 */
function emfProblems(document: Record<string, unknown>): string[] {
  const problems: string[] = [];
  const aws = document._aws as { Timestamp?: unknown; CloudWatchMetrics?: unknown } | undefined;
  if (!aws || typeof aws.Timestamp !== 'number' || !Number.isInteger(aws.Timestamp)) problems.push('_aws.Timestamp');
  const directives = Array.isArray(aws?.CloudWatchMetrics) ? aws.CloudWatchMetrics : [];
  if (directives.length === 0) problems.push('_aws.CloudWatchMetrics');
  for (const directive of directives as { Namespace?: unknown; Dimensions?: unknown; Metrics?: unknown }[]) {
    if (typeof directive.Namespace !== 'string' || directive.Namespace.length === 0) problems.push('Namespace');
    for (const set of (directive.Dimensions ?? []) as string[][]) {
      if (set.length > 30) problems.push('more than 30 dimensions');
      for (const name of set) if (typeof document[name] !== 'string') problems.push(`dimension ${name} is not a string member`);
    }
    for (const metric of (directive.Metrics ?? []) as { Name?: unknown; Unit?: unknown }[]) {
      if (typeof metric.Name !== 'string' || typeof metric.Unit !== 'string') problems.push('metric without name or unit');
      else if (typeof document[metric.Name] !== 'number') problems.push(`metric ${metric.Name} has no number value`);
    }
  }
  return problems;
}

const summary: RunSummary = {
  runId: 'r-1',
  trigger: { type: 'schedule', eventId: 'e1' },
  asOf: '2026-11-22T00:00:00.000Z',
  startedAt: '2026-11-22T00:00:00.000Z',
  finishedAt: '2026-11-22T00:01:00.000Z',
  status: 'complete',
  users: 3,
  positions: 9,
  checks: {} as RunSummary['checks'],
  sources: { reporting: { status: 'ok', failures: 0 }, backoffice: { status: 'ok', failures: 0 } },
  discrepancies: { total: 2, opened: 2, openedBySeverity: { high: 2 }, items: [], truncated: false },
};

afterEach(() => vi.restoreAllMocks());

describe('PowertoolsRunMetrics', () => {
  it('writes a run summary as valid EMF documents in the BalanceRecon namespace, by service, stage and each point’s own dimension', () => {
    const lines = stdoutOf(() => new PowertoolsRunMetrics({ serviceName: 'balance-recon', stage: 'prod' }).runEnded(summary));
    const documents = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(documents.length).toBe(9);
    for (const document of documents) expect(emfProblems(document)).toEqual([]);
    const directives = documents.map(
      (document) => (document._aws as { CloudWatchMetrics: { Namespace: string; Dimensions: string[][] }[] }).CloudWatchMetrics[0],
    );
    expect(new Set(directives.map((directive) => directive?.Namespace))).toEqual(new Set([METRICS_NAMESPACE]));
    const runs = documents.find((document) => 'Runs' in document) ?? {};
    expect(runs).toMatchObject({ Runs: 1, service: 'balance-recon', stage: 'prod', status: 'complete' });
    expect((runs._aws as { CloudWatchMetrics: { Dimensions: string[][] }[] }).CloudWatchMetrics[0]?.Dimensions).toEqual([
      ['service', 'stage', 'status'],
    ]);
    expect(documents.find((document) => document.severity === 'high')).toMatchObject({ DiscrepanciesOpened: 2 });
    expect(documents.find((document) => 'RunDuration' in document)).toMatchObject({ RunDuration: 60_000 });
  });

  it('writes upstream pressure per source and status, and nothing at all for an invocation that met none', () => {
    const metrics = new PowertoolsRunMetrics({ serviceName: 'balance-recon', stage: 'prod' });
    const lines = stdoutOf(() =>
      metrics.upstreamPressure({
        rateLimited: [{ source: 'multimarkets', status: 418, count: 1 }],
        retries: [{ source: 'indx', count: 4 }],
      }),
    );
    const documents = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(documents).toEqual([
      expect.objectContaining({ UpstreamRateLimited: 1, source: 'multimarkets', status: '418', stage: 'prod' }),
      expect.objectContaining({ UpstreamRetries: 4, source: 'indx', stage: 'prod' }),
    ]);
    for (const document of documents) expect(emfProblems(document)).toEqual([]);
    expect(stdoutOf(() => metrics.upstreamPressure({ rateLimited: [], retries: [] }))).toEqual([]);
  });
});
