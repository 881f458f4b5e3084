/**
 * The CloudWatch dashboard of a stage, as the JSON string `AWS::CloudWatch::Dashboard` wants: runs
 * by status, run duration, discrepancies found and opened by severity, source failures, upstream
 * 429/418 and retries, venue accounts overdue (the `BalanceRecon` metrics of
 * lib/runs/run-metrics.ts), each function's errors and throttles, and the failed-invocations queue.
 * Read by serverless.yml as `${file(./infra/dashboard.js)}`; names resolved like the template's own.
 */
const { RUN_FUNCTIONS, HTTP_FUNCTIONS } = require('./function-groups');
const NAMESPACE = 'BalanceRecon';

/** A time-series widget at (x, y), 12 wide and 6 high. */
function widget(x, y, title, region, metrics, extra = {}) {
  return {
    type: 'metric',
    x,
    y,
    width: 12,
    height: 6,
    properties: { title, region, view: 'timeSeries', stacked: false, metrics, ...extra },
  };
}

function dashboardBody({ service, stage, region }) {
  const own = (name, dims, stat = 'Sum') => [NAMESPACE, name, 'service', service, 'stage', stage, ...dims, { stat, period: 3600 }];
  const lambda = (metric) =>
    [...RUN_FUNCTIONS, ...HTTP_FUNCTIONS].map((fn) => [
      'AWS/Lambda',
      metric,
      'FunctionName',
      `${service}-${stage}-${fn}`,
      { stat: 'Sum', period: 300, label: fn },
    ]);
  const widgets = [
    widget(
      0,
      0,
      'Runs by status (per hour)',
      region,
      ['complete', 'partial', 'failed', 'skipped'].map((status) => own('Runs', ['status', status])),
    ),
    widget(12, 0, 'Run duration (ms)', region, [own('RunDuration', [], 'Average'), own('RunDuration', [], 'Maximum')]),
    widget(0, 6, 'Discrepancies opened by severity, and found', region, [
      ...['critical', 'high', 'medium', 'low'].map((severity) => own('DiscrepanciesOpened', ['severity', severity])),
      own('DiscrepanciesFound', [], 'Maximum'),
    ]),
    widget(
      12,
      6,
      'Source failures per run',
      region,
      ['reporting', 'backoffice', 'multimarkets', 'indx'].map((source) => own('SourceFailures', ['source', source])),
    ),
    widget(0, 12, 'Upstream 429 / 418 and retries', region, [
      ...['multimarkets', 'indx', 'reporting', 'backoffice'].flatMap((source) =>
        ['429', '418'].map((status) => own('UpstreamRateLimited', ['source', source, 'status', status])),
      ),
      ...['reporting', 'backoffice', 'multimarkets', 'indx'].map((source) => own('UpstreamRetries', ['source', source])),
    ]),
    widget(
      12,
      12,
      'Venue accounts overdue',
      region,
      ['multimarkets', 'indx'].map((venue) => own('VenueAccountsOverdue', ['venue', venue], 'Maximum')),
    ),
    widget(0, 18, 'Function errors', region, lambda('Errors')),
    widget(12, 18, 'Function throttles', region, lambda('Throttles')),
    widget(0, 24, 'Failed invocations waiting (queue depth)', region, [
      [
        'AWS/SQS',
        'ApproximateNumberOfMessagesVisible',
        'QueueName',
        `${service}-failed-invocations-${stage}`,
        { stat: 'Maximum', period: 300 },
      ],
    ]),
  ];
  return JSON.stringify({ widgets });
}

module.exports = async ({ resolveVariable }) =>
  dashboardBody({
    service: await resolveVariable('self:service'),
    stage: await resolveVariable('sls:stage'),
    region: await resolveVariable('self:provider.region'),
  });
module.exports.dashboardBody = dashboardBody;
