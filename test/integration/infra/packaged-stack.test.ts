import { readdir } from 'node:fs/promises';
import { beforeAll, describe, expect, it } from 'vitest';
import { ACCOUNT, type CfnTemplate, evaluate, packageStack, props, REGION } from '../../support/cfn-template';
import { type CodeNeed, codeNeeds, grantedPermissions, placedNeeds, roleIdOf, roleStatements } from '../../support/derive-permissions';
import { simulate } from '../../support/iam-simulation';
import { ruleExceptions, ruleViolations } from '../../support/template-rules';
import { specProblems } from '../../support/template-spec';

/** A customer-managed key for the package: with it, the roles' key statements are derived and checked too. */
const KMS_KEY_ARN = `arn:aws:kms:${REGION}:${ACCOUNT}:key/0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0`;

let template: CfnTemplate;
/** Each handler file → what its bundled code can send. */
const needsOfHandler = new Map<string, CodeNeed[]>();

const functionIds = () => Object.keys(template.Resources).filter((id) => template.Resources[id]?.Type === 'AWS::Lambda::Function');
const handlerFile = (id: string) => `${evaluate(template, props(template.Resources[id]).Handler).replace(/\.[^.]+$/, '')}.ts`;
const needsFor = (id: string) => {
  const needs = needsOfHandler.get(handlerFile(id));
  if (!needs) throw new Error(`${id}'s handler ${handlerFile(id)} is not in functions/`);
  return placedNeeds(template, id, needs, KMS_KEY_ARN);
};

beforeAll(async () => {
  // The bundles are read while the stack packages (both take seconds).
  const handlers = (await readdir('functions')).filter((file) => file.endsWith('.ts')).map((file) => `functions/${file}`);
  const derived = Promise.all(handlers.map(async (file) => needsOfHandler.set(file, await codeNeeds(file))));
  [template] = await Promise.all([packageStack('prod', { KMS_KEY_ARN, AWS_REGION: REGION }), derived]);
}, 180_000);

/** `action on resource [via service]` back into its parts, with a concrete resource for a path or stream pattern. */
function request(key: string): { action: string; resource: string; context: Record<string, string> } {
  const [, action = '', pattern = '', via] = /^(\S+) on (\S+)(?: via (\S+))?$/.exec(key) ?? [];
  const resource = pattern
    .replace(/:log-group:(.+):\*$/, ':log-group:$1:log-stream:2026/12/06/[$LATEST]0a1b')
    .replace(/\/\*$/, '/BACKOFFICE_TOKEN');
  return { action, resource, context: via ? { 'kms:ViaService': via } : {} };
}

describe('each function’s role, derived from its code', () => {
  it('is a role of its own for every function', () => {
    const roles = functionIds().map((id) => roleIdOf(template, id));
    expect(new Set(roles).size).toBe(roles.length);
    for (const role of roles) expect(template.Resources[role]?.Type).toBe('AWS::IAM::Role');
  });

  it('grants every permission its function’s code and configuration need', () => {
    const missing = functionIds().flatMap((id) => {
      const granted = grantedPermissions(template, roleIdOf(template, id));
      return [...needsFor(id)].filter(([key]) => !granted.has(key)).map(([key, why]) => `${id} lacks ${key} (${why})`);
    });
    expect(missing).toEqual([]);
  });

  it('grants nothing its function does not need', () => {
    const extra = functionIds().flatMap((id) => {
      const needs = needsFor(id);
      return [...grantedPermissions(template, roleIdOf(template, id))]
        .filter((key) => !needs.has(key))
        .map((key) => `${id} is granted ${key}, which nothing in its bundle or configuration uses`);
    });
    expect(extra).toEqual([]);
  });

  it('needs what the issue found missing: batch reads and writes, and invoking runShard', () => {
    const needs = needsFor('RunShardLambdaFunction');
    expect([...needs.keys()]).toEqual(
      expect.arrayContaining([
        `dynamodb:BatchGetItem on arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/balance-recon-totals-prod`,
        `dynamodb:BatchWriteItem on arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/balance-recon-totals-prod`,
        `lambda:InvokeFunction on arn:aws:lambda:${REGION}:${ACCOUNT}:function:balance-recon-prod-runShard`,
      ]),
    );
  });
});

describe('the roles in an IAM policy simulator', () => {
  it('allow every call each function’s code makes', async () => {
    const refused: string[] = [];
    for (const id of functionIds()) {
      const statements = roleStatements(template, roleIdOf(template, id));
      for (const key of needsFor(id).keys()) {
        const { action, resource, context } = request(key);
        const decision = await simulate(statements, action, resource, context);
        if (decision !== 'Allowed') refused.push(`${id}: ${key} → ${decision}`);
      }
    }
    expect(refused).toEqual([]);
  });

  it('deny what a function must not do: tables it does not use, deleting where it does not delete, other stages, other functions, the key directly', async () => {
    const tables = Object.entries(template.Resources).filter(([, resource]) => resource.Type === 'AWS::DynamoDB::Table');
    const functions = functionIds();
    const allowed: string[] = [];
    for (const id of functions) {
      const statements = roleStatements(template, roleIdOf(template, id));
      const needs = [...needsFor(id).keys()];
      const uses = (action: string, arn: string) => needs.some((key) => key.startsWith(`${action} on ${arn}`));
      const forbidden: [string, string, Record<string, string>?][] = [
        [`ssm:GetParameters`, `arn:aws:ssm:${REGION}:${ACCOUNT}:parameter/balance-recon/otherstage/x`],
        [`ssm:GetParameters`, `arn:aws:ssm:${REGION}:${ACCOUNT}:parameter/balance-recon/prod-copy/x`],
        [`sns:Publish`, `arn:aws:sns:${REGION}:${ACCOUNT}:another-topic`],
        ['kms:Decrypt', KMS_KEY_ARN],
        ['kms:GenerateDataKey', KMS_KEY_ARN, { 'kms:ViaService': `dynamodb.${REGION}.amazonaws.com` }],
      ];
      for (const [tableId, table] of tables) {
        const arn = `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/${props(table).TableName}`;
        forbidden.push(['dynamodb:DeleteTable', arn]);
        if (!needs.some((key) => key.includes(` on ${arn}`))) forbidden.push(['dynamodb:GetItem', arn]);
        if (!uses('dynamodb:DeleteItem', arn)) forbidden.push(['dynamodb:DeleteItem', arn]);
        if (!uses('dynamodb:UpdateItem', arn)) forbidden.push(['dynamodb:UpdateItem', arn]);
        expect(tableId).toBeTruthy();
      }
      for (const other of functions) {
        const arn = `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${props(template.Resources[other]).FunctionName}`;
        if (!uses('lambda:InvokeFunction', arn)) forbidden.push(['lambda:InvokeFunction', arn]);
      }
      for (const [action, resource, context] of forbidden) {
        const decision = await simulate(statements, action, resource, context);
        if (decision === 'Allowed') allowed.push(`${id}: ${action} on ${resource} is allowed`);
      }
    }
    expect(allowed).toEqual([]);
  });

  it('let no role delete or change the audit trail (the history table)', async () => {
    const history = `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/balance-recon-history-prod`;
    for (const id of functionIds()) {
      const statements = roleStatements(template, roleIdOf(template, id));
      for (const action of ['dynamodb:DeleteItem', 'dynamodb:UpdateItem', 'dynamodb:BatchWriteItem', 'dynamodb:DeleteTable']) {
        expect(`${id} ${action}: ${await simulate(statements, action, history)}`).toBe(`${id} ${action}: ImplicitlyDenied`);
      }
    }
  });
});

describe('the packaged template', () => {
  it('fits the CloudFormation resource specification: known types and properties, required ones present, types right', () => {
    expect(specProblems(template)).toEqual([]);
  });

  it('keeps the rules of docs/permissions.md, but for the exceptions listed with their reason', () => {
    const exceptions = ruleExceptions();
    const excepted = (rule: string, resource: string) =>
      exceptions.some((exception) => exception.rule === rule && exception.resource === resource);
    const violations = ruleViolations(template, KMS_KEY_ARN);
    expect(violations.filter((violation) => !excepted(violation.rule, violation.resource))).toEqual([]);
    const stale = exceptions.filter(
      (exception) => !violations.some((violation) => violation.rule === exception.rule && violation.resource === exception.resource),
    );
    expect(stale).toEqual([]);
  });

  it('keeps every table of the audit trail: PITR, deletion protection, Retain, encrypted with the given key', () => {
    const tables = Object.values(template.Resources).filter((resource) => resource.Type === 'AWS::DynamoDB::Table');
    expect(tables).toHaveLength(5);
    for (const table of tables) {
      expect(table).toMatchObject({
        DeletionPolicy: 'Retain',
        UpdateReplacePolicy: 'Retain',
        Properties: {
          PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
          DeletionProtectionEnabled: true,
          SSESpecification: { SSEEnabled: true, SSEType: 'KMS', KMSMasterKeyId: KMS_KEY_ARN },
        },
      });
    }
    expect(props(template.Resources.AlertsTopic).KmsMasterKeyId).toBe(KMS_KEY_ARN);
  });

  it('has no local sign-in route (POST /dev/token), and the function behind it no dev key', () => {
    const routes = Object.values(template.Resources)
      .filter((resource) => resource.Type === 'AWS::ApiGatewayV2::Route')
      .map((resource) => props(resource).RouteKey);
    expect(routes).toContain('GET /runs/{id}');
    expect(routes.filter((key) => String(key).includes('/dev/'))).toEqual([]);
    const environment = props(template.Resources.DevTokenLambdaFunction).Environment;
    expect(environment).toMatchObject({ Variables: { AUTH_DEV_KEY: '' } });
  });
});
