import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { asList, type CfnResource, type CfnTemplate, props } from './cfn-template';

/** One resource breaking one of the rules. */
export interface RuleViolation {
  rule: string;
  resource: string;
  detail: string;
}

/** An exception to a rule for one resource, with the reason it is accepted (infra/template-rule-exceptions.json). */
const exceptionsSchema = z.object({
  exceptions: z.array(z.object({ rule: z.string(), resource: z.string(), reason: z.string().min(10) })),
});

/** The accepted exceptions: the one file listing each with its reason. */
export function ruleExceptions(file = 'infra/template-rule-exceptions.json'): z.infer<typeof exceptionsSchema>['exceptions'] {
  return exceptionsSchema.parse(JSON.parse(readFileSync(file, 'utf8'))).exceptions;
}

const at = (value: unknown, ...path: string[]): unknown =>
  path.reduce<unknown>(
    (node, key) => (typeof node === 'object' && node !== null ? (node as Record<string, unknown>)[key] : undefined),
    value,
  );

/** A rule: which resources it reads, and what is wrong with one (nothing when it holds). */
interface Rule {
  name: string;
  types: string[];
  check: (resource: CfnResource) => string | undefined;
}

/** The statements of an IAM role's inline policies, or of a policy resource. */
function policyStatements(resource: CfnResource): unknown[] {
  const properties = props(resource);
  const documents =
    resource.Type === 'AWS::IAM::Role'
      ? asList(properties.Policies).map((policy) => at(policy, 'PolicyDocument'))
      : [properties.PolicyDocument];
  return documents.flatMap((document) => asList(at(document, 'Statement')));
}

/**
 * Rules of our own, as a security scanner would apply them (checkov's and cfn-lint's cannot be installed here):
 * the audit trail kept (PITR, deletion protection, Retain), data encrypted (tables, topic, with `kmsKeyArn` when
 * one is set), logs kept for a bounded time, and no IAM wildcard.
 */
function rules(kmsKeyArn: string): Rule[] {
  const keyed = (key: unknown) => (kmsKeyArn && key !== kmsKeyArn ? `encrypted with ${JSON.stringify(key)}, not KMS_KEY_ARN` : undefined);
  const table = ['AWS::DynamoDB::Table'];
  const policies = ['AWS::IAM::Role', 'AWS::IAM::Policy', 'AWS::IAM::ManagedPolicy'];
  return [
    {
      name: 'dynamodb-point-in-time-recovery',
      types: table,
      check: (r) =>
        at(r.Properties, 'PointInTimeRecoverySpecification', 'PointInTimeRecoveryEnabled') === true ? undefined : 'PITR is off',
    },
    {
      name: 'dynamodb-deletion-protection',
      types: table,
      check: (r) => (props(r).DeletionProtectionEnabled === true ? undefined : 'deletion protection is off'),
    },
    {
      name: 'dynamodb-retain',
      types: table,
      check: (r) =>
        r.DeletionPolicy === 'Retain' && r.UpdateReplacePolicy === 'Retain'
          ? undefined
          : 'DeletionPolicy and UpdateReplacePolicy must be Retain',
    },
    {
      name: 'dynamodb-encryption',
      types: table,
      check: (r) =>
        at(r.Properties, 'SSESpecification', 'SSEEnabled') === true
          ? keyed(at(r.Properties, 'SSESpecification', 'KMSMasterKeyId'))
          : 'no KMS encryption (SSESpecification)',
    },
    {
      name: 'sns-encryption',
      types: ['AWS::SNS::Topic'],
      check: (r) => (props(r).KmsMasterKeyId ? keyed(props(r).KmsMasterKeyId) : 'no KmsMasterKeyId'),
    },
    {
      name: 'log-retention',
      types: ['AWS::Logs::LogGroup'],
      check: (r) => (typeof props(r).RetentionInDays === 'number' ? undefined : 'kept forever (no RetentionInDays)'),
    },
    {
      name: 'iam-no-wildcard-action',
      types: policies,
      check: (r) => {
        const wild = policyStatements(r).flatMap((statement) =>
          [...asList(at(statement, 'Action')), ...asList(at(statement, 'NotAction'))].filter((action) => String(action).includes('*')),
        );
        return wild.length > 0 ? `wildcard actions ${wild.join(', ')}` : undefined;
      },
    },
    {
      name: 'iam-no-star-resource',
      types: policies,
      check: (r) =>
        policyStatements(r).some(
          (statement) => asList(at(statement, 'Resource')).includes('*') || at(statement, 'NotResource') !== undefined,
        )
          ? 'a statement on every resource'
          : undefined,
    },
  ];
}

/** Every rule broken by a resource of the template, before exceptions. */
export function ruleViolations(template: CfnTemplate, kmsKeyArn = ''): RuleViolation[] {
  return rules(kmsKeyArn).flatMap((rule) =>
    Object.entries(template.Resources)
      .filter(([, resource]) => rule.types.includes(resource.Type))
      .flatMap(([id, resource]) => {
        const detail = rule.check(resource);
        return detail ? [{ rule: rule.name, resource: id, detail }] : [];
      }),
  );
}
