import { readFile } from 'node:fs/promises';
import { build } from 'esbuild';
import { z } from 'zod';
import { esbuildOptions } from '../../esbuild.config';
import { ACCOUNT, asList, type CfnTemplate, evaluate, props, REGION } from './cfn-template';
import { type AdapterTarget, adapterTargets, commandActions, kmsActionsByService, transactItemActions } from './sdk-permissions';

/** Where a command of the code goes, before a stack names it: a target named by an environment variable. */
type CodeTarget = { kind: 'table'; variable: string; index: boolean } | { kind: 'topic' | 'function' | 'ssm-stage-path'; variable: string };

/** One action the code of a bundle can ask for, and the module and command that ask for it. */
export interface CodeNeed {
  action: string;
  target: CodeTarget;
  module: string;
  command: string;
}

/**
 * The repository's modules whose code is in the handler's bundle, built with the deployed bundle options
 * (esbuild.config.js): a module tree-shaken away contributes no byte, and so no permission.
 */
export async function bundledModules(handlerFile: string): Promise<string[]> {
  const result = await build({
    ...esbuildOptions,
    entryPoints: [handlerFile],
    outfile: 'bundle.js',
    write: false,
    metafile: true,
    sourcemap: false,
    logLevel: 'silent',
  });
  return Object.values(result.metafile.outputs).flatMap((output) =>
    Object.entries(output.inputs)
      .filter(([path, input]) => input.bytesInOutput > 0 && /^(lib|functions)\//.test(path))
      .map(([path]) => path),
  );
}

/** The text between the bracket at `open` and its match: a call's arguments, or a literal's body, to read which table it names. */
function bracedAt(source: string, open: number, opening = '(', closing = ')'): string {
  let depth = 0;
  for (let at = open; at < source.length; at++) {
    if (source[at] === opening) depth++;
    if (source[at] === closing && --depth === 0) return source.slice(open + 1, at);
  }
  throw new Error(`unbalanced ${opening} at ${open}`);
}

/** Each `new <Name>Command(…)` of a source, and each call of a pass-through helper (which sends on its caller's table). */
function commandSites(source: string, helpers: Record<string, string>): { command: string; argument: string }[] {
  const sites = [...source.matchAll(/\bnew (\w+?)Command\(/g)].map((match) => ({
    command: match[1] as string,
    argument: bracedAt(source, (match.index ?? 0) + match[0].length - 1),
  }));
  for (const [helper, command] of Object.entries(helpers)) {
    for (const match of source.matchAll(new RegExp(`(?<!function )\\b${helper}\\(`, 'g'))) {
      sites.push({ command, argument: bracedAt(source, (match.index ?? 0) + match[0].length - 1) });
    }
  }
  return sites;
}

/** The targets one call site reaches: the tables its argument names (`this.tables.x`), else every table the module is given. */
function siteTargets(target: AdapterTarget, argument: string): CodeTarget[] {
  const index = /\bIndexName\b/.test(argument);
  switch (target.kind) {
    case 'tables': {
      const named = [...argument.matchAll(/this\.tables\.(\w+)/g)].map((match) => match[1] as string);
      const keys = named.length > 0 ? named : Object.keys(target.tables);
      return keys.map((key) => {
        const variable = target.tables[key];
        if (!variable) throw new Error(`this.tables.${key} is not in sdk-permissions' adapterTargets`);
        return { kind: 'table', variable, index };
      });
    }
    case 'table':
      return [{ kind: 'table', variable: target.variable, index }];
    case 'topic':
      return [{ kind: 'topic', variable: target.variable }];
    case 'functions':
      return target.variables.map((variable) => ({ kind: 'function', variable }));
    case 'ssm-stage-path':
      return [{ kind: 'ssm-stage-path', variable: target.variable }];
    case 'pass-through':
      throw new Error('a pass-through helper has no target of its own');
  }
}

/** The actions a command needs (a transaction has none of its own: see {@link transactItemSites}). */
function actionsOf(command: string, module: string): string[] {
  const actions = commandActions[command];
  if (!actions) throw new Error(`${module} sends ${command}Command, which test/support/sdk-permissions.ts does not map to an IAM action`);
  return actions;
}

/**
 * Each transaction item a source builds (`{ Put: … }`, `{ ConditionCheck: … }`), as the action its kind needs and
 * the item's text (the table it names): a transaction needs what each of its items does, wherever the item is built
 * (the run lock's check is built in lib/store/runs-table.ts for the transactions of two adapters).
 */
function transactItemSites(source: string): { action: string; argument: string }[] {
  return [...source.matchAll(/\{\s*(Put|Update|Delete|ConditionCheck)\s*:/g)].map((match) => ({
    action: transactItemActions[match[1] as string] as string,
    argument: bracedAt(source, match.index ?? 0, '{', '}'),
  }));
}

/**
 * What the code in a handler's bundle can ask AWS for: every SDK command constructed in a bundled module
 * (and every call of a helper that sends one), mapped to IAM actions and to the target its adapter is wired
 * with (test/support/sdk-permissions.ts).
 */
export async function codeNeeds(handlerFile: string): Promise<CodeNeed[]> {
  const modules = await bundledModules(handlerFile);
  const helpers = Object.assign(
    {},
    ...modules.map((module) => {
      const target = adapterTargets[module];
      return target?.kind === 'pass-through' ? target.helpers : {};
    }),
  );
  const needs: CodeNeed[] = [];
  for (const module of modules) {
    const source = await readFile(module, 'utf8');
    const target = adapterTargets[module];
    const passThrough = target?.kind === 'pass-through';
    for (const { command, argument } of commandSites(source, passThrough ? {} : helpers)) {
      if (passThrough) {
        if (!Object.values(target.helpers).includes(command)) throw new Error(`${module} sends ${command}Command outside its helpers`);
        continue;
      }
      if (!target) throw new Error(`${module} sends ${command}Command but test/support/sdk-permissions.ts does not say where it goes`);
      for (const action of actionsOf(command, module)) {
        for (const reached of siteTargets(target, argument)) needs.push({ action, target: reached, module, command });
      }
    }
    if (passThrough) continue;
    const items = transactItemSites(source);
    if (!target && items.length > 0)
      throw new Error(`${module} builds transaction items but test/support/sdk-permissions.ts does not say where they go`);
    if (!target) continue;
    for (const { action, argument } of items) {
      for (const reached of siteTargets(target, argument)) needs.push({ action, target: reached, module, command: 'TransactWrite' });
    }
  }
  return needs;
}

/** The packaged function's environment variable, worked out (a table's name, the topic's ARN…); '' when not given. */
function variableOf(template: CfnTemplate, functionId: string, variable: string): string {
  const environment = z
    .object({ Variables: z.record(z.string(), z.unknown()) })
    .optional()
    .parse(props(template.Resources[functionId]).Environment);
  const value = environment?.Variables[variable];
  return value === undefined ? '' : evaluate(template, value);
}

/** The global secondary indexes of the packaged table named `tableName`. */
function indexesOf(template: CfnTemplate, tableName: string): string[] {
  const table = Object.values(template.Resources).find(
    (resource) => resource.Type === 'AWS::DynamoDB::Table' && props(resource).TableName === tableName,
  );
  const indexes = z
    .array(z.object({ IndexName: z.string() }))
    .optional()
    .parse(props(table).GlobalSecondaryIndexes);
  return (indexes ?? []).map((index) => index.IndexName);
}

/**
 * The ARNs a code target names in the packaged stack. None when the function is not given the target's variable:
 * its adapter has no name to send to (the wiring does not build it, or fails at cold start), so no grant helps.
 */
function arnsOf(template: CfnTemplate, functionId: string, target: CodeTarget): string[] {
  const value = variableOf(template, functionId, target.variable);
  if (!value) return [];
  const at = `${REGION}:${ACCOUNT}`;
  switch (target.kind) {
    case 'table': {
      const table = `arn:aws:dynamodb:${at}:table/${value}`;
      return target.index ? indexesOf(template, value).map((index) => `${table}/index/${index}`) : [table];
    }
    case 'topic':
      return [value];
    case 'function':
      return [`arn:aws:lambda:${at}:function:${value}`];
    case 'ssm-stage-path':
      return [`arn:aws:ssm:${at}:parameter/balance-recon/${value}/*`];
  }
}

/** A permission as the checks compare it: an action on one resource, through a service when the grant says so. */
export function permissionKey(action: string, resource: string, viaService?: string): string {
  return viaService ? `${action} on ${resource} via ${viaService}` : `${action} on ${resource}`;
}

/** The action an on-failure destination or dead-letter target needs, by the service of its ARN. */
const destinationActions: Record<string, string> = {
  sqs: 'sqs:SendMessage',
  sns: 'sns:Publish',
  lambda: 'lambda:InvokeFunction',
  events: 'events:PutEvents',
};

/**
 * What the stack's configuration (not the code) has the function's role do: write its own log group, and
 * send a failed asynchronous event to its on-failure destination or dead-letter target.
 */
function configurationNeeds(template: CfnTemplate, functionId: string): Map<string, string> {
  const needs = new Map<string, string>();
  const name = evaluate(template, props(template.Resources[functionId]).FunctionName);
  // The framework's group, unless the function names its own (LoggingConfig.LogGroup).
  const logging = z.object({ LogGroup: z.unknown().optional() }).optional().parse(props(template.Resources[functionId]).LoggingConfig);
  const logGroupName = logging?.LogGroup === undefined ? `/aws/lambda/${name}` : evaluate(template, logging.LogGroup);
  const logGroup = `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:${logGroupName}:*`;
  for (const action of ['logs:CreateLogStream', 'logs:PutLogEvents']) needs.set(permissionKey(action, logGroup), 'its own log group');
  const targets: unknown[] = [
    z.object({ TargetArn: z.unknown() }).optional().parse(props(template.Resources[functionId]).DeadLetterConfig)?.TargetArn,
  ];
  for (const resource of Object.values(template.Resources)) {
    if (resource.Type !== 'AWS::Lambda::EventInvokeConfig' || evaluate(template, props(resource).FunctionName) !== name) continue;
    const destinations = z
      .record(z.string(), z.object({ Destination: z.unknown() }))
      .optional()
      .parse(props(resource).DestinationConfig);
    targets.push(...Object.values(destinations ?? {}).map((destination) => destination.Destination));
  }
  for (const target of targets.filter((value) => value !== undefined)) {
    const arn = evaluate(template, target);
    const action = destinationActions[arn.split(':')[2] ?? ''];
    if (!action) throw new Error(`${functionId}: no action known for the destination ${arn}`);
    needs.set(permissionKey(action, arn), 'its failed events’ destination');
  }
  return needs;
}

/**
 * Everything the packaged function needs, each with why: its code's needs placed in the stack, the
 * customer-managed key's use through each service its code calls (when `kmsKeyArn` is set), and what its
 * configuration asks of its role.
 */
export function placedNeeds(template: CfnTemplate, functionId: string, needs: CodeNeed[], kmsKeyArn: string): Map<string, string> {
  const placed = configurationNeeds(template, functionId);
  const services = new Set<string>();
  for (const need of needs) {
    services.add(need.action.split(':')[0] as string);
    for (const arn of arnsOf(template, functionId, need.target)) {
      placed.set(permissionKey(need.action, arn), `${need.module} sends ${need.command}Command`);
    }
  }
  for (const service of kmsKeyArn ? services : []) {
    for (const action of kmsActionsByService[service] ?? []) {
      placed.set(permissionKey(action, kmsKeyArn, `${service}.${REGION}.amazonaws.com`), `the key encrypts what ${service} keeps`);
    }
  }
  return placed;
}

const statementSchema = z.strictObject({
  Effect: z.literal('Allow'),
  Action: z.union([z.string(), z.array(z.string())]),
  Resource: z.unknown(),
  Condition: z.strictObject({ StringEquals: z.strictObject({ 'kms:ViaService': z.unknown() }) }).optional(),
  Sid: z.string().optional(),
});
const roleSchema = z.looseObject({
  AssumeRolePolicyDocument: z.unknown(),
  Policies: z.array(
    z.object({ PolicyName: z.unknown(), PolicyDocument: z.object({ Version: z.string(), Statement: z.array(z.unknown()) }) }),
  ),
  ManagedPolicyArns: z.never().optional(),
});

/** The id of the role the packaged function runs as (it must be one of the template's own roles). */
export function roleIdOf(template: CfnTemplate, functionId: string): string {
  const [roleId] = z.object({ 'Fn::GetAtt': z.tuple([z.string(), z.literal('Arn')]) }).parse(props(template.Resources[functionId]).Role)[
    'Fn::GetAtt'
  ];
  return roleId;
}

/** The identity policy statements of a role of the template, as IAM reads them (intrinsics worked out). */
export function roleStatements(template: CfnTemplate, roleId: string): z.infer<typeof statementSchema>[] {
  const role = roleSchema.parse(props(template.Resources[roleId]));
  return role.Policies.flatMap((policy) =>
    policy.PolicyDocument.Statement.map((statement) => {
      const { Condition, ...parsed } = statementSchema.parse(statement);
      const via = Condition && asList(Condition.StringEquals['kms:ViaService']).map((service) => evaluate(template, service));
      return {
        ...parsed,
        Resource: asList(parsed.Resource).map((resource) => evaluate(template, resource)),
        ...(via && { Condition: { StringEquals: { 'kms:ViaService': via } } }),
      };
    }),
  );
}

/** Every permission the role grants, one key per action, resource and service it may be asked through. */
export function grantedPermissions(template: CfnTemplate, roleId: string): Set<string> {
  const granted = new Set<string>();
  for (const statement of roleStatements(template, roleId)) {
    const via = statement.Condition ? asList(statement.Condition.StringEquals['kms:ViaService']) : [undefined];
    for (const action of asList(statement.Action)) {
      for (const resource of asList(statement.Resource)) {
        for (const service of via) granted.add(permissionKey(String(action), String(resource), service as string | undefined));
      }
    }
  }
  return granted;
}
