/**
 * The functions' error and throttle alarms (docs/operations.md), as CloudFormation resources: one metric-math alarm
 * sums a group of functions' `AWS/Lambda` Errors or Throttles. CloudWatch takes at most 10 metrics in one alarm, so a
 * group of more functions is cut into alarms of {@link MAX_METRICS} (`HttpFunctionErrorsAlarm`,
 * `HttpFunctionErrors2Alarm`, …). Read by serverless.yml as `${file(./infra/alarms.js)}`.
 */
const { RUN_FUNCTIONS, HTTP_FUNCTIONS } = require('./function-groups');

/** Metrics one alarm's math reads (CloudWatch's limit is 10). */
const MAX_METRICS = 10;

/** What each alarm watches, and the section of docs/operations.md its description points to. */
const GROUPS = [
  {
    name: 'RunFunctionErrors',
    metric: 'Errors',
    functions: RUN_FUNCTIONS,
    about: 'A run function or alertLog failed',
    doc: 'function-errors',
  },
  {
    name: 'HttpFunctionErrors',
    metric: 'Errors',
    functions: HTTP_FUNCTIONS,
    about: 'An HTTP function failed outside its error answers',
    doc: 'function-errors',
  },
  {
    name: 'Throttles',
    metric: 'Throttles',
    functions: [...RUN_FUNCTIONS, ...HTTP_FUNCTIONS],
    about: 'A function was throttled',
    doc: 'throttles',
  },
];

function chunks(list, size) {
  return Array.from({ length: Math.ceil(list.length / size) }, (_, i) => list.slice(i * size, (i + 1) * size));
}

/** One alarm: the sum of `metric` over `functions`, at 1 or more in 5 minutes, to the ops topic. */
function alarm({ service, stage }, alarmName, metric, functions, description) {
  const queries = functions.map((fn, i) => ({
    Id: `f${i}`,
    ReturnData: false,
    MetricStat: {
      Metric: { Namespace: 'AWS/Lambda', MetricName: metric, Dimensions: [{ Name: 'FunctionName', Value: `${service}-${stage}-${fn}` }] },
      Period: 300,
      Stat: 'Sum',
    },
  }));
  return {
    Type: 'AWS::CloudWatch::Alarm',
    Properties: {
      AlarmName: `${service}-${stage}-${alarmName}`,
      AlarmDescription: description,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      Threshold: 1,
      EvaluationPeriods: 1,
      TreatMissingData: 'notBreaching',
      AlarmActions: [{ Ref: 'OpsTopic' }],
      OKActions: [{ Ref: 'OpsTopic' }],
      Metrics: [...queries, { Id: 'total', Label: metric, Expression: `SUM([${queries.map((q) => q.Id).join(', ')}])`, ReturnData: true }],
    },
  };
}

/** Every group's alarms, keyed by logical id. */
function alarmResources(names) {
  const resources = {};
  for (const group of GROUPS) {
    chunks(group.functions, MAX_METRICS).forEach((functions, i) => {
      const name = `${group.name}${i === 0 ? '' : i + 1}`;
      resources[`${name}Alarm`] = alarm(names, name, group.metric, functions, `${group.about} (docs/operations.md#${group.doc})`);
    });
  }
  return resources;
}

module.exports = async ({ resolveVariable }) => ({
  Resources: alarmResources({ service: await resolveVariable('self:service'), stage: await resolveVariable('sls:stage') }),
});
module.exports.alarmResources = alarmResources;
module.exports.MAX_METRICS = MAX_METRICS;
