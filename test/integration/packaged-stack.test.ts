import { beforeAll, describe, expect, it } from 'vitest';
import { SERVICE_NAME } from '../../lib/log';
import { METRICS_NAMESPACE } from '../../lib/metrics/powertools-run-metrics';
import { METRIC_NAMES } from '../../lib/runs/run-metrics';
import { packageStack } from '../support/cfn-template';

type Resource = { Type: string; Properties: Record<string, unknown>; DependsOn?: unknown };
type Dimension = { Name: string; Value: unknown };

/** The functions invoked asynchronously: EventBridge, runManual's and the coordinator's async invokes, SNS. */
const ASYNC_FUNCTIONS = ['runScheduled', 'runDirect', 'runShard', 'alertLog'];
const logicalId = (fn: string) => `${fn[0]?.toUpperCase()}${fn.slice(1)}LambdaFunction`;

let resources: Record<string, Resource>;

/** `sls package --stage prod` as a deploy would run it, with only what variable resolution needs (no AWS call is made). */
beforeAll(async () => {
  const template = await packageStack('prod', { AWS_REGION: 'eu-west-1', SHARD_CONCURRENCY: '5', NO_COMPLETE_RUN_HOURS: '4' });
  resources = template.Resources as Record<string, Resource>;
}, 300_000);

const resource = (id: string): Resource => {
  const found = resources[id];
  if (!found) throw new Error(`no resource ${id}`);
  return found;
};
const ofType = (type: string) => Object.entries(resources).filter(([, resource]) => resource.Type === type);
const functionNames = () => new Set(ofType('AWS::Lambda::Function').map(([, fn]) => fn.Properties.FunctionName as string));
const alarm = (id: string) => {
  const found = resources[id];
  if (found?.Type !== 'AWS::CloudWatch::Alarm') throw new Error(`no alarm ${id}`);
  return found.Properties;
};
/** The function names an alarm's metric math reads `metric` of. */
const alarmedFunctions = (id: string, metric: string) =>
  (alarm(id).Metrics as { MetricStat?: { Metric: { Namespace: string; MetricName: string; Dimensions: Dimension[] } } }[])
    .flatMap((query) => (query.MetricStat ? [query.MetricStat.Metric] : []))
    .map((stat) => {
      expect(stat).toMatchObject({ Namespace: 'AWS/Lambda', MetricName: metric });
      return stat.Dimensions.find((dimension) => dimension.Name === 'FunctionName')?.Value as string;
    });

describe('the packaged stack (sls package --stage prod)', () => {
  it('gives every async function the failed-invocations queue as its on-failure destination', () => {
    const configs = ofType('AWS::Lambda::EventInvokeConfig').map(([, config]) => config.Properties);
    for (const fn of ASYNC_FUNCTIONS) {
      const config = configs.find((candidate) => (candidate.FunctionName as { Ref: string }).Ref === logicalId(fn));
      expect(config, fn).toMatchObject({
        DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': ['FailedInvocationsQueue', 'Arn'] } } },
        MaximumEventAgeInSeconds: expect.any(Number),
        MaximumRetryAttempts: expect.any(Number),
      });
    }
    // A retried run finds itself recorded and succeeds without running: the failure must go to the queue at once.
    expect(
      configs.find((config) => (config.FunctionName as { Ref: string }).Ref === 'RunScheduledLambdaFunction')?.MaximumRetryAttempts,
    ).toBe(0);
    expect(resources.FailedInvocationsQueue?.Properties).toMatchObject({
      SqsManagedSseEnabled: true,
      MessageRetentionPeriod: 14 * 24 * 3600,
    });
  });

  it('lets each async function send to the queue, and logs every function in the JSON format', () => {
    const sendsToQueue = (statement: { Action: string | string[]; Resource: unknown }) =>
      [statement.Action].flat().includes('sqs:SendMessage') &&
      JSON.stringify(statement.Resource) === JSON.stringify({ 'Fn::GetAtt': ['FailedInvocationsQueue', 'Arn'] });
    for (const fn of ASYNC_FUNCTIONS) {
      // The function's execution role (shared or its own) and the statements of its inline policies.
      const role = (resource(logicalId(fn)).Properties.Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
      const policies = (resources[role]?.Properties.Policies ?? []) as {
        PolicyDocument: { Statement: { Action: string | string[]; Resource: unknown }[] };
      }[];
      expect(policies.flatMap((policy) => policy.PolicyDocument.Statement).some(sendsToQueue), fn).toBe(true);
    }
    for (const [id, fn] of ofType('AWS::Lambda::Function')) expect(fn.Properties.LoggingConfig, id).toEqual({ LogFormat: 'JSON' });
  });

  it('reserves twice SHARD_CONCURRENCY for runShard', () => {
    expect(resources.RunShardLambdaFunction?.Properties.ReservedConcurrentExecutions).toBe(10);
  });

  it('alarms on the errors of every function, the throttles of every function, and the queue depth, to the ops topic', () => {
    const all = functionNames();
    const alarmIds = (prefix: RegExp) => ofType('AWS::CloudWatch::Alarm').flatMap(([id]) => (prefix.test(id) ? [id] : []));
    const errors = alarmIds(/^(Run|Http)FunctionErrors\d*Alarm$/).flatMap((id) => alarmedFunctions(id, 'Errors'));
    expect(new Set(errors)).toEqual(all);
    expect(errors).toHaveLength(all.size);
    const throttled = alarmIds(/^Throttles\d*Alarm$/).flatMap((id) => alarmedFunctions(id, 'Throttles'));
    expect(new Set(throttled)).toEqual(all);
    expect(throttled).toHaveLength(all.size);
    // CloudWatch refuses a metric-math alarm reading more than 10 metrics.
    for (const [id, resource] of ofType('AWS::CloudWatch::Alarm')) {
      const metrics = ((resource.Properties.Metrics ?? []) as { MetricStat?: unknown }[]).filter((query) => query.MetricStat);
      expect(metrics.length, id).toBeLessThanOrEqual(10);
    }
    expect(alarm('FailedInvocationsAlarm')).toMatchObject({
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': ['FailedInvocationsQueue', 'QueueName'] } }],
      ComparisonOperator: 'GreaterThanThreshold',
      Threshold: 0,
    });
    for (const [id, resource] of ofType('AWS::CloudWatch::Alarm')) {
      expect(resource.Properties.AlarmActions, id).toEqual([{ Ref: 'OpsTopic' }]);
    }
    expect(resources.OpsTopic?.Type).toBe('AWS::SNS::Topic');
  });

  it('alarms when no run completed in NO_COMPLETE_RUN_HOURS hours, on the metric and dimensions the runs emit', () => {
    expect(alarm('NoCompleteRunAlarm')).toMatchObject({
      Namespace: METRICS_NAMESPACE,
      MetricName: 'Runs',
      Dimensions: [
        { Name: 'service', Value: SERVICE_NAME },
        { Name: 'stage', Value: 'prod' },
        { Name: 'status', Value: 'complete' },
      ],
      Statistic: 'Sum',
      Period: 3600,
      EvaluationPeriods: 4,
      DatapointsToAlarm: 4,
      ComparisonOperator: 'LessThanThreshold',
      Threshold: 1,
      TreatMissingData: 'breaching',
    });
  });

  it('has a dashboard whose body is JSON naming only existing functions, the queue and metrics the runs emit', () => {
    const [[, dashboard] = []] = ofType('AWS::CloudWatch::Dashboard');
    const body = JSON.parse(dashboard?.Properties.DashboardBody as string) as {
      widgets: { properties: { metrics: unknown[][]; region: string } }[];
    };
    const metrics = body.widgets.flatMap((widget) => widget.properties.metrics);
    expect(body.widgets.every((widget) => widget.properties.region === 'eu-west-1')).toBe(true);
    const named = (namespace: string, dimension: string) =>
      metrics.filter((metric) => metric[0] === namespace).map((metric) => metric[metric.indexOf(dimension) + 1]);
    expect(new Set(named('AWS/Lambda', 'FunctionName'))).toEqual(functionNames());
    expect(new Set(named('AWS/SQS', 'QueueName'))).toEqual(new Set([resources.FailedInvocationsQueue?.Properties.QueueName]));
    const own = metrics.filter((metric) => metric[0] === METRICS_NAMESPACE);
    expect(new Set(own.map((metric) => metric[1]))).toEqual(new Set(METRIC_NAMES));
    for (const metric of own) expect(metric.slice(2, 6)).toEqual(['service', SERVICE_NAME, 'stage', 'prod']);
  });
});
