import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { gunzipSync } from 'node:zlib';
import { z } from 'zod';
import type { CfnTemplate } from './cfn-template';

/** A property's type in the CloudFormation resource specification (@aws-cdk/aws-service-spec's db.json.gz). */
type SpecType =
  | { type: 'string' | 'boolean' | 'integer' | 'number' | 'json' | 'tag' | 'date-time' }
  | { type: 'array' | 'map'; element: SpecType }
  | { type: 'ref'; reference: { $ref: string } }
  | { type: 'union'; types: SpecType[] };
const specTypeSchema: z.ZodType<SpecType> = z.lazy(() =>
  z.union([
    z.object({ type: z.enum(['string', 'boolean', 'integer', 'number', 'json', 'tag', 'date-time']) }),
    z.object({ type: z.enum(['array', 'map']), element: specTypeSchema }),
    z.object({ type: z.literal('ref'), reference: z.object({ $ref: z.string() }) }),
    z.object({ type: z.literal('union'), types: z.array(specTypeSchema) }),
  ]),
);
const propertiesSchema = z.record(z.string(), z.object({ type: z.unknown(), required: z.boolean().optional() }));
const specSchema = z.object({
  schema: z.object({
    resource: z.object({ entities: z.array(z.looseObject({ cloudFormationType: z.string(), properties: propertiesSchema })) }),
    typeDefinition: z.object({ entities: z.array(z.looseObject({ $id: z.string(), name: z.string(), properties: propertiesSchema })) }),
  }),
});
type Properties = z.infer<typeof propertiesSchema>;

/** The specification, loaded once: each resource type's properties, and each property type by its id. */
function loadSpec() {
  const file = createRequire(import.meta.url).resolve('@aws-cdk/aws-service-spec/db.json.gz');
  const { schema } = specSchema.parse(JSON.parse(gunzipSync(readFileSync(file)).toString('utf8')));
  const resources = new Map(schema.resource.entities.map((resource) => [resource.cloudFormationType, resource.properties]));
  return { resources, types: new Map(schema.typeDefinition.entities.map((type) => [type.$id, type])) };
}
let spec: ReturnType<typeof loadSpec> | undefined;

/** An intrinsic function (`Ref`, `Fn::…`): its value is known only at deploy time, so its type is not checked. */
function isIntrinsic(value: unknown): boolean {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const keys = Object.keys(value);
  return keys.length === 1 && (keys[0] === 'Ref' || keys[0]?.startsWith('Fn::') === true);
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** What is wrong with `value` as a `type` (empty when it fits): scalars, lists and objects, recursively. */
function typeProblems(type: SpecType, value: unknown, path: string): string[] {
  if (isIntrinsic(value)) return [];
  const expect = (ok: boolean, what: string) => (ok ? [] : [`${path}: expected ${what}, got ${JSON.stringify(value)}`]);
  switch (type.type) {
    case 'string':
    case 'date-time':
      return expect(typeof value === 'string', 'a string');
    case 'boolean':
      return expect(typeof value === 'boolean' || value === 'true' || value === 'false', 'a boolean');
    case 'integer':
    case 'number':
      return expect(typeof value === 'number' || (typeof value === 'string' && /^-?\d+(\.\d+)?$/.test(value)), 'a number');
    case 'json':
      return [];
    case 'tag':
      return expect(isRecord(value) && 'Key' in value && 'Value' in value, 'a tag { Key, Value }');
    case 'array':
      if (!Array.isArray(value)) return expect(false, 'a list');
      return value.flatMap((item, index) => typeProblems(type.element, item, `${path}[${index}]`));
    case 'map':
      if (!isRecord(value)) return expect(false, 'a map');
      return Object.entries(value).flatMap(([key, item]) => typeProblems(type.element, item, `${path}.${key}`));
    case 'ref': {
      const definition = spec?.types.get(type.reference.$ref);
      if (!definition) return [`${path}: the specification has no type ${type.reference.$ref}`];
      return isRecord(value) ? propertyProblems(definition.properties, value, path) : expect(false, `an object (${definition.name})`);
    }
    case 'union':
      return type.types.some((option) => typeProblems(option, value, path).length === 0) ? [] : expect(false, 'one of its allowed types');
  }
}

/** Unknown property names, missing required ones, and values of the wrong type. */
function propertyProblems(properties: Properties, value: Record<string, unknown>, path: string): string[] {
  const unknown = Object.keys(value)
    .filter((name) => !(name in properties))
    .map((name) => `${path}.${name}: not a property the specification knows`);
  const missing = Object.entries(properties)
    .filter(([name, property]) => property.required && value[name] === undefined)
    .map(([name]) => `${path}.${name}: required, missing`);
  const mistyped = Object.entries(value).flatMap(([name, item]) => {
    const property = properties[name];
    return property ? typeProblems(specTypeSchema.parse(property.type), item, `${path}.${name}`) : [];
  });
  return [...unknown, ...missing, ...mistyped];
}

/**
 * Every resource of the template checked against the CloudFormation resource specification: a type it knows,
 * property names it knows, required properties present, and scalars, lists and objects where it expects them.
 * What it does not catch: allowed values, patterns, and whatever an intrinsic function resolves to.
 */
export function specProblems(template: CfnTemplate): string[] {
  spec ??= loadSpec();
  const { resources } = spec;
  return Object.entries(template.Resources).flatMap(([id, resource]) => {
    const properties = resources.get(resource.Type);
    if (!properties) return [`${id}: ${resource.Type} is not a resource type of the specification`];
    const policies = ['Delete', 'Retain', 'Snapshot', 'RetainExceptOnCreate'];
    const policyProblems = [resource.DeletionPolicy, resource.UpdateReplacePolicy]
      .filter((policy) => policy !== undefined && !policies.includes(policy))
      .map((policy) => `${id}: ${policy} is not a deletion policy`);
    return [...policyProblems, ...propertyProblems(properties, resource.Properties ?? {}, id)];
  });
}
