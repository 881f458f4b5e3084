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
 * What the discrepancy store (lib/store/dynamodb-discrepancy-store.ts) can send: discrepancies, their history, and the
 * runs table's registry and lock. Every function but alertLog bundles it: the compliance handlers and POST /runs on a
 * store-only wiring (lib/store-wiring.ts), the run functions inside the run wiring.
 */
const store = [
  // ConditionCheckItem: the test derives a transaction's item kinds per module, not per table (the fence checks the runs table only).
  {
    actions: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:BatchGetItem', 'dynamodb:ConditionCheckItem'],
    on: { table: 'DiscrepanciesTable' },
  },
  { actions: ['dynamodb:Query'], on: { indexesOf: 'DiscrepanciesTable' } },
  // The lock is the only item ever deleted (releaseLock); runs and plans are kept. A run's writes check the lock in their
  // transaction (ConditionCheckItem: the fenced store of lib/store/dynamodb-discrepancy-store.ts).
  {
    actions: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:ConditionCheckItem'],
    on: { table: 'RunsTable' },
  },
  // The audit trail: appended and read, never updated or deleted (entries expire by TTL).
  { actions: ['dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:ConditionCheckItem'], on: { table: 'HistoryTable' } },
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
  getRun: { grants: store, extraStatements: [] },
  listDiscrepancies: { grants: store, extraStatements: [] },
  getDiscrepancy: { grants: store, extraStatements: [] },
  actOnDiscrepancy: { grants: store, extraStatements: [] },
  // Writes each alert to its log: no AWS call at all.
  alertLog: { grants: [], extraStatements: onFailure },
};
