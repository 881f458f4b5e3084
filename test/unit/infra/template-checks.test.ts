import { describe, expect, it } from 'vitest';
import type { CfnTemplate } from '../../support/cfn-template';
import { ruleViolations } from '../../support/template-rules';
import { specProblems } from '../../support/template-spec';

const keptTable = {
  Type: 'AWS::DynamoDB::Table',
  DeletionPolicy: 'Retain',
  UpdateReplacePolicy: 'Retain',
  Properties: {
    KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
    AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
    BillingMode: 'PAY_PER_REQUEST',
    PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
    DeletionProtectionEnabled: true,
    SSESpecification: { SSEEnabled: true, SSEType: 'KMS' },
  },
};
const role = (statement: object) => ({
  Type: 'AWS::IAM::Role',
  Properties: {
    AssumeRolePolicyDocument: {},
    Policies: [{ PolicyName: 'p', PolicyDocument: { Version: '2012-10-17', Statement: [statement] } }],
  },
});
const template = (Resources: Record<string, object>) => ({ Resources }) as CfnTemplate;

describe('ruleViolations', () => {
  it('passes a table that keeps its data and a role on named resources', () => {
    const ok = role({ Effect: 'Allow', Action: ['dynamodb:GetItem'], Resource: 'arn:aws:dynamodb:us-east-1:123456789012:table/t' });
    expect(ruleViolations(template({ Table: keptTable, Role: ok }))).toEqual([]);
  });

  it('flags a table that lost its point-in-time recovery, and one that may be deleted with the stack', () => {
    const withoutPitr = {
      ...keptTable,
      Properties: { ...keptTable.Properties, PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: false } },
    };
    const { DeletionPolicy: _dropped, ...deletable } = keptTable;
    expect(ruleViolations(template({ A: withoutPitr, B: deletable })).map(({ rule, resource }) => `${rule} ${resource}`)).toEqual([
      'dynamodb-point-in-time-recovery A',
      'dynamodb-retain B',
    ]);
  });

  it('flags a role that gained a wildcard action on every resource', () => {
    const wild = role({ Effect: 'Allow', Action: ['dynamodb:*'], Resource: '*' });
    expect(ruleViolations(template({ Role: wild })).map(({ rule }) => rule)).toEqual(['iam-no-wildcard-action', 'iam-no-star-resource']);
  });

  it('flags a table or topic encrypted with another key than KMS_KEY_ARN', () => {
    const key = 'arn:aws:kms:us-east-1:123456789012:key/k';
    const topic = { Type: 'AWS::SNS::Topic', Properties: { KmsMasterKeyId: 'alias/aws/sns' } };
    expect(ruleViolations(template({ Table: keptTable, Topic: topic }), key).map(({ rule }) => rule)).toEqual([
      'dynamodb-encryption',
      'sns-encryption',
    ]);
  });
});

describe('specProblems', () => {
  it('passes a table as the specification describes it', () => {
    expect(specProblems(template({ Table: keptTable }))).toEqual([]);
  });

  it('names an unknown property, a missing required one and a value of the wrong shape', () => {
    const { KeySchema: _dropped, ...rest } = keptTable.Properties;
    const wrong = { ...keptTable, Properties: { ...rest, PointInTimeRecoverySpecification: true, Encrypted: true } };
    expect(specProblems(template({ Table: wrong }))).toEqual([
      'Table.Encrypted: not a property the specification knows',
      'Table.KeySchema: required, missing',
      'Table.PointInTimeRecoverySpecification: expected an object (PointInTimeRecoverySpecification), got true',
    ]);
  });

  it('names a resource type the specification does not know', () => {
    expect(specProblems(template({ X: { Type: 'AWS::DynamoDB::Tabel', Properties: {} } }))).toEqual([
      'X: AWS::DynamoDB::Tabel is not a resource type of the specification',
    ]);
  });
});
