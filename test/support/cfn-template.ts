import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { z } from 'zod';

/** The account and region a packaged template is read in: no AWS is asked, so any fixed pair does. */
export const ACCOUNT = '123456789012';
export const REGION = 'us-east-1';

const resourceSchema = z.looseObject({
  Type: z.string(),
  Properties: z.record(z.string(), z.unknown()).optional(),
  DeletionPolicy: z.string().optional(),
  UpdateReplacePolicy: z.string().optional(),
  DependsOn: z.union([z.string(), z.array(z.string())]).optional(),
});
const templateSchema = z.looseObject({ Resources: z.record(z.string(), resourceSchema) });

/** A CloudFormation resource as the checks read it. */
export type CfnResource = z.infer<typeof resourceSchema>;
/** A packaged CloudFormation template (only `Resources` is read). */
export type CfnTemplate = z.infer<typeof templateSchema>;

/**
 * Packages the service as `sls deploy` would (`sls package --stage <stage>`) into a fresh directory under
 * the system's temp dir, with `env` added to this process's environment (values the variables resolve
 * from; nothing is sent to AWS), and returns the CloudFormation template it wrote.
 */
export async function packageStack(stage: string, env: Record<string, string>): Promise<CfnTemplate> {
  const dir = await mkdtemp(join(tmpdir(), 'balance-recon-package-'));
  try {
    await promisify(execFile)('node_modules/.bin/sls', ['package', '--stage', stage, '--package', dir], {
      env: { ...process.env, ...env },
      maxBuffer: 16 * 1024 * 1024,
    });
    return templateSchema.parse(JSON.parse(await readFile(join(dir, 'cloudformation-template-update-stack.json'), 'utf8')));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** A resource's property as a record (empty when absent), for reading nested CloudFormation values. */
export function props(resource: CfnResource | undefined): Record<string, unknown> {
  return resource?.Properties ?? {};
}

function stringProp(resource: CfnResource, name: string, fallback: string): string {
  const value = props(resource)[name];
  return typeof value === 'string' ? value : fallback;
}

/** The ARN `Fn::GetAtt [id, Arn]` gives for the resource types this stack declares. */
function arnOf(template: CfnTemplate, id: string): string {
  const resource = template.Resources[id];
  if (!resource) throw new Error(`the template has no resource ${id}`);
  const at = `${REGION}:${ACCOUNT}`;
  switch (resource.Type) {
    case 'AWS::DynamoDB::Table':
      return `arn:aws:dynamodb:${at}:table/${stringProp(resource, 'TableName', id)}`;
    case 'AWS::SNS::Topic':
      return `arn:aws:sns:${at}:${stringProp(resource, 'TopicName', id)}`;
    case 'AWS::SQS::Queue':
      return `arn:aws:sqs:${at}:${stringProp(resource, 'QueueName', id)}`;
    case 'AWS::Lambda::Function':
      return `arn:aws:lambda:${at}:function:${stringProp(resource, 'FunctionName', id)}`;
    case 'AWS::IAM::Role':
      return `arn:aws:iam::${ACCOUNT}:role/${stringProp(resource, 'RoleName', id)}`;
    case 'AWS::KMS::Key':
      return `arn:aws:kms:${at}:key/${id}`;
    case 'AWS::Logs::LogGroup':
      return `arn:aws:logs:${at}:log-group:${stringProp(resource, 'LogGroupName', id)}:*`;
    default:
      throw new Error(`no ARN known for ${id} (${resource.Type})`);
  }
}

/** What `Ref` gives: pseudo parameters, and each resource type's own answer (a table's name, a topic's ARN…). */
function refOf(template: CfnTemplate, id: string): string {
  const pseudo: Record<string, string> = {
    'AWS::Region': REGION,
    'AWS::AccountId': ACCOUNT,
    'AWS::Partition': 'aws',
    'AWS::URLSuffix': 'amazonaws.com',
  };
  if (pseudo[id]) return pseudo[id];
  const resource = template.Resources[id];
  if (!resource) throw new Error(`Ref to ${id}, which the template does not declare`);
  if (resource.Type === 'AWS::DynamoDB::Table') return stringProp(resource, 'TableName', id);
  if (resource.Type === 'AWS::Lambda::Function') return stringProp(resource, 'FunctionName', id);
  if (resource.Type === 'AWS::SNS::Topic' || resource.Type === 'AWS::KMS::Key') return arnOf(template, id);
  if (resource.Type === 'AWS::SQS::Queue') return `https://sqs.${REGION}.amazonaws.com/${ACCOUNT}/${stringProp(resource, 'QueueName', id)}`;
  return id;
}

/**
 * A template value with its intrinsic functions worked out (`Ref`, `Fn::GetAtt … Arn`, `Fn::Join`, `Fn::Sub`),
 * in the fixed account and region: how the checks compare what a role grants with what a function needs.
 * Anything else is refused by name, so a new form in the template is noticed rather than misread.
 */
export function evaluate(template: CfnTemplate, value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  const node = z.record(z.string(), z.unknown()).parse(value);
  const [fn, args] = Object.entries(node)[0] ?? [];
  if (fn === 'Ref') return refOf(template, z.string().parse(args));
  if (fn === 'Fn::GetAtt') {
    const [id, attribute] = z.tuple([z.string(), z.string()]).parse(typeof args === 'string' ? args.split('.') : args);
    if (attribute !== 'Arn') throw new Error(`Fn::GetAtt ${id}.${attribute} is not read here`);
    return arnOf(template, id);
  }
  if (fn === 'Fn::Join') {
    const [separator, parts] = z.tuple([z.string(), z.array(z.unknown())]).parse(args);
    return parts.map((part) => evaluate(template, part)).join(separator);
  }
  if (fn === 'Fn::Sub') {
    const [text, vars] = typeof args === 'string' ? [args, {}] : z.tuple([z.string(), z.record(z.string(), z.unknown())]).parse(args);
    return text.replace(/\$\{([^}]+)\}/g, (_, name: string) => {
      if (name in vars) return evaluate(template, vars[name]);
      return name.endsWith('.Arn') ? arnOf(template, name.slice(0, -4)) : refOf(template, name);
    });
  }
  throw new Error(`cannot evaluate ${JSON.stringify(value)}`);
}

/** A value that may be one item or a list, as a list (IAM's Action, Resource, CloudFormation's DependsOn). */
export function asList(value: unknown): unknown[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}
