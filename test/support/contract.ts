import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { expect } from 'vitest';
import { z } from 'zod';
import { openApiDocument } from '../../lib/api/openapi';
import { ROUTES } from '../../lib/api/routes';

type Method = 'GET' | 'POST' | 'get' | 'post';

/**
 * The document's named schemas under `$defs` of one schema, so ajv resolves the `$ref`s between them
 * (`#/components/schemas/X` → `contract#/$defs/X`) with its strict checks of the schemas themselves on.
 */
function contractAjv(): Ajv2020 {
  const document = openApiDocument();
  const text = JSON.stringify(document.components.schemas).replaceAll('"#/components/schemas/', '"contract#/$defs/');
  const ajv = new Ajv2020({ allErrors: true, strict: true });
  addFormats(ajv);
  ajv.addSchema({ $id: 'contract', $defs: JSON.parse(text) });
  return ajv;
}

/** The part of an operation of the document the check reads. */
const operationSchema = z.object({
  responses: z.record(
    z.string(),
    z.object({ content: z.record(z.string(), z.object({ schema: z.object({ $ref: z.string() }) })).optional() }),
  ),
});

let ajv: Ajv2020 | undefined;
const validators = new Map<string, ValidateFunction | string>();

/** The validator of a route's JSON answer with that status, or why there is none. */
function validatorOf(method: Method, pathTemplate: string, status: number): ValidateFunction | string {
  const key = `${method.toUpperCase()} ${pathTemplate} ${status}`;
  const cached = validators.get(key);
  if (cached) return cached;
  ajv ??= contractAjv();
  const operation = operationSchema.safeParse(openApiDocument().paths[pathTemplate]?.[method.toLowerCase()]);
  const schema = operation.data?.responses[String(status)]?.content?.['application/json']?.schema;
  const found = schema
    ? ajv.compile({ $ref: schema.$ref.replace('#/components/schemas/', 'contract#/$defs/') })
    : `the contract has no JSON answer ${status} for ${key.replace(/ \d+$/, '')}`;
  validators.set(key, found);
  return found;
}

/** What is wrong with a body as a route's answer of that status: ajv's errors (path and message), none when it conforms. */
export function contractProblems(method: Method, pathTemplate: string, status: number, body: unknown): string[] {
  const validate = validatorOf(method, pathTemplate, status);
  if (typeof validate === 'string') return [validate];
  if (validate(body)) return [];
  return (validate.errors ?? []).map((error) => `${error.instancePath || '/'} ${error.message ?? ''} (${error.schemaPath})`);
}

/**
 * Fails the test when `body` is not what docs/openapi.json says `method pathTemplate` answers with
 * `status`, naming each of ajv's errors. A status the route does not declare fails too.
 * @example expectConforms('GET', '/runs/{id}', 200, answer.body)
 */
export function expectConforms(method: Method, pathTemplate: string, status: number, body: unknown): void {
  expect(contractProblems(method, pathTemplate, status, body), `${method} ${pathTemplate} ${status} answer`).toEqual([]);
}

/** The route template a request path matches (`/runs/run-1` → `/runs/{id}`), the most literal first; none off the API. */
export function routeTemplateOf(method: Method, path: string): string | undefined {
  const candidates = ROUTES.filter((route) => route.method === method.toLowerCase())
    .filter((route) => new RegExp(`^${route.path.replace(/\{[^}]+\}/g, '[^/]+')}$`).test(path))
    .sort((a, b) => a.path.split('{').length - b.path.split('{').length);
  return candidates[0]?.path;
}
