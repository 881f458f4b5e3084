/**
 * One IAM role per function, built from infra/function-permissions.js: read by serverless.yml as
 * `${file(./infra/iam-roles.js)}` into `resources`, each function naming its role (`role: <Key>Role`). Each role may
 * write its own log group, do what its grants say, and, when KMS_KEY_ARN is set, use that key through the services its
 * grants name (SNS to publish, DynamoDB to read its tables, SSM to decrypt parameters). See docs/permissions.md.
 */
const permissions = require('./function-permissions');
const tables = require('./tables.json');
const { kmsKeyArn } = require('./kms');

/** The table keys of infra/tables.json by the logical id serverless.yml gives each table. */
const TABLE_KEYS = { DiscrepanciesTable: 'discrepancies', RunsTable: 'runs', HistoryTable: 'history', TotalsTable: 'totals' };

/** What the key must allow through each service (test/support/sdk-permissions.ts derives the same from the code). */
const KMS_ACTIONS = { sns: ['kms:Decrypt', 'kms:GenerateDataKey'], dynamodb: ['kms:Decrypt'], ssm: ['kms:Decrypt'] };

/** An ARN in this stack's partition, region and account: `inStack('lambda', 'function:x')`. */
const inStack = (service, rest) => ({ 'Fn::Sub': `arn:\${AWS::Partition}:${service}:\${AWS::Region}:\${AWS::AccountId}:${rest}` });

/** The ARNs a grant's `on` names. */
function resourcesOf(on, names) {
  if (on.table) return [{ 'Fn::GetAtt': [on.table, 'Arn'] }];
  if (on.indexesOf) {
    const indexes = tables[TABLE_KEYS[on.indexesOf]]?.GlobalSecondaryIndexes ?? [];
    return indexes.map((index) => ({ 'Fn::Sub': `\${${on.indexesOf}.Arn}/index/${index.IndexName}` }));
  }
  if (on.topic) return [{ Ref: on.topic }];
  if (on.function) return [inStack('lambda', `function:${names.function(on.function)}`)];
  if (on.ssmStagePath) return [inStack('ssm', `parameter/balance-recon/${names.stage}/*`)];
  throw new Error(`infra/function-permissions.js: a grant on ${JSON.stringify(on)}, which is none of the known kinds`);
}

/** The key's statements: one per service the grants use, each allowed only through that service. */
function keyStatements(grants, key) {
  const services = [...new Set(grants.flatMap((grant) => grant.actions.map((action) => action.split(':')[0])))];
  return services
    .filter((service) => KMS_ACTIONS[service])
    .map((service) => ({
      Effect: 'Allow',
      Action: KMS_ACTIONS[service],
      Resource: key,
      Condition: { StringEquals: { 'kms:ViaService': { 'Fn::Sub': `${service}.\${AWS::Region}.amazonaws.com` } } },
    }));
}

/** The role of one function. */
function role(key, { grants, extraStatements = [] }, names) {
  const logGroup = inStack('logs', `log-group:/aws/lambda/${names.function(key)}:*`);
  const kms = kmsKeyArn();
  return {
    Type: 'AWS::IAM::Role',
    Properties: {
      AssumeRolePolicyDocument: {
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }],
      },
      Policies: [
        {
          PolicyName: `${names.function(key)}-policy`,
          PolicyDocument: {
            Version: '2012-10-17',
            Statement: [
              { Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: logGroup },
              ...grants.map((grant) => ({ Effect: 'Allow', Action: grant.actions, Resource: resourcesOf(grant.on, names) })),
              ...(kms ? keyStatements(grants, kms) : []),
              ...extraStatements,
            ],
          },
        },
      ],
    },
  };
}

/** The logical id of a function's role: `runShard` → `RunShardRole`. */
const roleId = (key) => `${key[0].toUpperCase()}${key.slice(1)}Role`;

module.exports = async ({ resolveVariable }) => {
  const service = await resolveVariable('self:service');
  const stage = await resolveVariable('sls:stage');
  const names = { stage, function: (key) => `${service}-${stage}-${key}` };
  return { Resources: Object.fromEntries(Object.entries(permissions).map(([key, declared]) => [roleId(key), role(key, declared, names)])) };
};
