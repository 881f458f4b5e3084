/**
 * The stack's functions by kind, read by the alarms (infra/alarms.js) and the dashboard (infra/dashboard.js):
 * a function added to serverless.yml goes in one of these lists, and test/integration/packaged-stack.test.ts fails
 * until it does (every function must be alarmed on its errors and its throttles).
 */
/** The functions a run goes through, and the alert log it feeds. */
const RUN_FUNCTIONS = ['runScheduled', 'runDirect', 'runShard', 'alertLog'];
/** The HTTP API's functions. */
const HTTP_FUNCTIONS = [
  'runManual',
  'listRuns',
  'getRun',
  'listDiscrepancies',
  'discrepancyTotals',
  'getDiscrepancy',
  'actOnDiscrepancy',
  'verifyHistory',
  'openApi',
  'devToken',
  'webConsole',
];

module.exports = { RUN_FUNCTIONS, HTTP_FUNCTIONS };
