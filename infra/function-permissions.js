/**
 * What each function's role may do: the one place a function's permissions are declared (docs/permissions.md).
 * infra/iam-roles.js turns these into one IAM role per function, with its log group and, when KMS_KEY_ARN is set,
 * the key's use through the services the grants name. The permissions test
 * (test/integration/infra/permissions.test.ts) derives what each function's bundled code can send and fails when
 * a declared permission is missing or extra: declare here what the code needs, nothing more.
 *
 * A grant: `{ actions, on }`, `on` one of `{ table: <logical id> }`, `{ indexesOf: <table logical id> }` (each GSI
 * of infra/tables.json), `{ topic: <logical id> }`, `{ function: <function key> }`, `{ ssmStagePath: true }`
 * (`/balance-recon/<stage>/*`).
 * A function's `extraStatements`: raw IAM statements for what the stack's configuration (not the code) has the
 * role do, e.g. an on-failure destination: `{ Effect: 'Allow', Action: ['sqs:SendMessage'],
 * Resource: { 'Fn::GetAtt': ['RunShardFailures', 'Arn'] } }` (the test derives those from the template too).
 */

/**
 * What the compliance handlers' adapters (lib/store-wiring.ts) can send: the discrepancies and their history
 * (lib/store/dynamodb-discrepancies.ts), and a run's record read by its id (lib/store/dynamodb-run-reader.ts).
 * Neither the run lock nor the run queue is in their bundles: they cannot write the runs table.
 */
const compliance = [
  { actions: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:BatchGetItem'], on: { table: 'DiscrepanciesTable' } },
  { actions: ['dynamodb:Query'], on: { indexesOf: 'DiscrepanciesTable' } },
  // ConditionCheckItem: the discrepancies' adapter carries the run lock's check for a run's fenced writes
  // (lib/store/runs-table.ts); an analyst's writes are not fenced, but the code is in the bundle.
  { actions: ['dynamodb:GetItem', 'dynamodb:ConditionCheckItem'], on: { table: 'RunsTable' } },
  // The audit trail: appended and read, never updated or deleted (entries expire by TTL).
  { actions: ['dynamodb:PutItem', 'dynamodb:Query'], on: { table: 'HistoryTable' } },
];

/**
 * What the whole store (lib/store-adapters.ts) can send: the compliance adapters', and the runs table's registry and
 * lock (lib/store/dynamodb-run-registry.ts) and source states (lib/store/dynamodb-source-states.ts). POST /runs
 * (which queues runs) and the run functions bundle it.
 */
const store = [
  ...compliance.filter((grant) => grant.on.table !== 'RunsTable'),
  // The lock is the only item ever deleted (releaseLock); runs and plans are kept. A run's writes check the lock in their
  // transaction (ConditionCheckItem: the fence of lib/store/runs-table.ts).
  {
    actions: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:ConditionCheckItem'],
    on: { table: 'RunsTable' },
  },
];

/**
 * What a run adds (lib/wiring.ts): the run state's batch reads of shard tallies, the running history totals, the
 * alerts and the outbox they are owed in, and the shards it starts.
 */
const run = [
  ...store,
  { actions: ['dynamodb:BatchGetItem'], on: { table: 'RunsTable' } },
  { actions: ['dynamodb:PutItem', 'dynamodb:BatchGetItem', 'dynamodb:BatchWriteItem'], on: { table: 'TotalsTable' } },
  { actions: ['sns:Publish'], on: { topic: 'AlertsTopic' } },
  // The outbox (lib/store/dynamodb-outbox.ts): rows put in the writes that owe them (and a storm's), read, claimed,
  // released and deleted by the drain. Only the run functions: an analyst's action owes no alert.
  { actions: ['dynamodb:PutItem', 'dynamodb:Scan', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'], on: { table: 'OutboxTable' } },
  { actions: ['lambda:InvokeFunction'], on: { function: 'runShard' } },
  // Credentials kept as SSM SecureString parameters under /balance-recon/<stage>/ (README "Deploying").
  { actions: ['ssm:GetParameters'], on: { ssmStagePath: true } },
];

/** An async function's on-failure destination (serverless.yml `destinations.onFailure`): Lambda sends as the role. */
const onFailure = [{ Effect: 'Allow', Action: ['sqs:SendMessage'], Resource: { 'Fn::GetAtt': ['FailedInvocationsQueue', 'Arn'] } }];

module.exports = {
  runScheduled: { grants: run, extraStatements: onFailure },
  runDirect: { grants: run, extraStatements: onFailure },
  runShard: { grants: run, extraStatements: onFailure },
  // POST /runs queues the run in the store and hands it to runDirect.
  runManual: { grants: [...store, { actions: ['lambda:InvokeFunction'], on: { function: 'runDirect' } }], extraStatements: [] },
  // GET /runs: the run list alone (lib/store/dynamodb-run-list.ts), a Query of the runs table's by-time index. It parses
  // run records with lib/store/runs-table.ts, which also builds the run lock's check (a read): in the bundle, so granted.
  listRuns: {
    grants: [
      { actions: ['dynamodb:Query'], on: { indexesOf: 'RunsTable' } },
      { actions: ['dynamodb:ConditionCheckItem'], on: { table: 'RunsTable' } },
    ],
    extraStatements: [],
  },
  // GET /discrepancies/totals: the totals alone (lib/store/dynamodb-break-totals.ts), a Query of the status index.
  discrepancyTotals: { grants: [{ actions: ['dynamodb:Query'], on: { indexesOf: 'DiscrepanciesTable' } }], extraStatements: [] },
  getRun: { grants: compliance, extraStatements: [] },
  listDiscrepancies: { grants: compliance, extraStatements: [] },
  getDiscrepancy: { grants: compliance, extraStatements: [] },
  actOnDiscrepancy: { grants: compliance, extraStatements: [] },
  // Serves the web console's files and sign-in settings: no AWS call at all.
  webConsole: { grants: [], extraStatements: [] },
  // Signs a local token with the dev key (local stage only): no AWS call at all.
  devToken: { grants: [], extraStatements: [] },
  // Writes each alert to its log: no AWS call at all.
  alertLog: { grants: [], extraStatements: onFailure },
};
