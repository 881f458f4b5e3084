/**
 * The one table from what the code sends to what IAM must allow, read by the permissions test
 * (test/integration/infra/permissions.test.ts). It lives beside the test, not in `infra/`, because it is
 * the test's knowledge of AWS, kept apart from the roles it checks: the roles (infra/function-permissions.js)
 * say what is granted, this says what each SDK command needs, and the test compares the two per function.
 * A command the code starts to send that is missing here fails the test by name, so the table grows with the code.
 */

/** The IAM actions each SDK command needs (lib-dynamodb document-client names and the low-level client's names). */
export const commandActions: Record<string, string[]> = {
  // DynamoDB (lib-dynamodb's document client and @aws-sdk/client-dynamodb)
  Get: ['dynamodb:GetItem'],
  GetItem: ['dynamodb:GetItem'],
  Put: ['dynamodb:PutItem'],
  PutItem: ['dynamodb:PutItem'],
  Update: ['dynamodb:UpdateItem'],
  UpdateItem: ['dynamodb:UpdateItem'],
  Delete: ['dynamodb:DeleteItem'],
  DeleteItem: ['dynamodb:DeleteItem'],
  Query: ['dynamodb:Query'],
  Scan: ['dynamodb:Scan'],
  BatchGet: ['dynamodb:BatchGetItem'],
  BatchGetItem: ['dynamodb:BatchGetItem'],
  BatchWrite: ['dynamodb:BatchWriteItem'],
  BatchWriteItem: ['dynamodb:BatchWriteItem'],
  // A transaction has no action of its own: each item needs its kind's action (see `transactItemActions`).
  TransactWrite: [],
  TransactWriteItems: [],
  // SNS
  Publish: ['sns:Publish'],
  PublishBatch: ['sns:Publish'],
  // Lambda
  Invoke: ['lambda:InvokeFunction'],
  // SSM
  GetParameters: ['ssm:GetParameters'],
  GetParameter: ['ssm:GetParameter'],
};

/** The action a `TransactWriteItems` item of each kind needs (`{ Put: … }` needs `dynamodb:PutItem`), wherever the item is built. */
export const transactItemActions: Record<string, string> = {
  Put: 'dynamodb:PutItem',
  Update: 'dynamodb:UpdateItem',
  Delete: 'dynamodb:DeleteItem',
  ConditionCheck: 'dynamodb:ConditionCheckItem',
};

/**
 * Where an adapter's commands go, named by the environment variable the wiring gives it (its value in the
 * packaged function's environment names the table, topic or function). A module that sends a command and is
 * not listed here fails the test: say where its commands go before it ships.
 */
export type AdapterTarget =
  /** DynamoDB tables by the name the source uses (`this.tables.<key>`) → the environment variable of each. */
  | { kind: 'tables'; tables: Record<string, string> }
  /** One DynamoDB table (`this.table`), given by the wiring from this environment variable. */
  | { kind: 'table'; variable: string }
  /** An SNS topic by the environment variable holding its ARN. */
  | { kind: 'topic'; variable: string }
  /** Lambda functions by the environment variables holding their names. */
  | { kind: 'functions'; variables: string[] }
  /** SSM parameters under `/balance-recon/<STAGE>/` (config, venue mapping), decrypted (`WithDecryption`). */
  | { kind: 'ssm-stage-path'; variable: string }
  /** Helpers that send a command on the table their caller passes: the caller's call site is resolved instead. */
  | { kind: 'pass-through'; helpers: Record<string, string> };

/** Each adapter module (path from the repository root) and where its commands go (see lib/wiring.ts). */
export const adapterTargets: Record<string, AdapterTarget> = {
  // store-wiring.ts: new DynamoDbDiscrepancies(documents, config.tables, …): its items and their history rows.
  'lib/store/dynamodb-discrepancies.ts': { kind: 'tables', tables: { discrepancies: 'DISCREPANCIES_TABLE', history: 'HISTORY_TABLE' } },
  // store-wiring.ts: the runs table's adapters, each given config.tables.runs; runs-table.ts builds the run lock's check
  // that the fenced writes of the discrepancies and the source states carry.
  'lib/store/dynamodb-run-reader.ts': { kind: 'table', variable: 'RUNS_TABLE' },
  // run-list-container.ts: new DynamoDbRunList(documents, config.tables.runs), its by-time index.
  'lib/store/dynamodb-run-list.ts': { kind: 'table', variable: 'RUNS_TABLE' },
  // break-totals-container.ts: new DynamoDbBreakTotals(documents, config.tables.discrepancies, …), its by-status index.
  'lib/store/dynamodb-break-totals.ts': { kind: 'table', variable: 'DISCREPANCIES_TABLE' },
  'lib/store/dynamodb-run-registry.ts': { kind: 'table', variable: 'RUNS_TABLE' },
  'lib/store/dynamodb-source-states.ts': { kind: 'table', variable: 'RUNS_TABLE' },
  'lib/store/runs-table.ts': { kind: 'table', variable: 'RUNS_TABLE' },
  // wiring.ts: new DynamoDbRunState(documents, config.tables.runs)
  'lib/store/dynamodb-run-state.ts': { kind: 'table', variable: 'RUNS_TABLE' },
  // wiring.ts: new DynamoDbVenueCheckLog(documents, config.tables.runs)
  'lib/store/dynamodb-venue-log.ts': { kind: 'table', variable: 'RUNS_TABLE' },
  // wiring.ts: new DynamoDbHistoryStore(documents, config.tables.totals)
  'lib/store/dynamodb-history-store.ts': { kind: 'table', variable: 'TOTALS_TABLE' },
  // wiring.ts: new DynamoDbAlertOutbox(documents, config.outboxTable); the store's transactions put its rows too.
  'lib/store/dynamodb-outbox.ts': { kind: 'table', variable: 'OUTBOX_TABLE' },
  'lib/store/batch.ts': {
    kind: 'pass-through',
    helpers: { batchGetAll: 'BatchGet', batchPutAll: 'BatchWrite', queryAll: 'Query', queryPages: 'Query', scanAll: 'Scan' },
  },
  'lib/store/page-cursor.ts': { kind: 'pass-through', helpers: { queryPage: 'Query' } },
  'lib/alerts/sns-alert-publisher.ts': { kind: 'topic', variable: 'ALERTS_TOPIC_ARN' },
  // wiring.ts: LambdaRunInvoker(RUN_FUNCTION_NAME) for POST /runs, LambdaShardInvoker(SHARD_FUNCTION_NAME) for shards
  'lib/lambda/lambda-run-invoker.ts': { kind: 'functions', variables: ['RUN_FUNCTION_NAME', 'SHARD_FUNCTION_NAME'] },
  'lib/middleware/ssm-secrets.ts': { kind: 'ssm-stage-path', variable: 'STAGE' },
};

/**
 * What a customer-managed key (KMS_KEY_ARN) must allow a function that uses each service, asked through that
 * service (`kms:ViaService`): SNS encrypts each published message with a data key, DynamoDB decrypts the
 * table key for its caller, SSM decrypts SecureString parameters.
 */
export const kmsActionsByService: Record<string, string[]> = {
  sns: ['kms:Decrypt', 'kms:GenerateDataKey'],
  dynamodb: ['kms:Decrypt'],
  ssm: ['kms:Decrypt'],
};
