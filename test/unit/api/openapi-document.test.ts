import { readFileSync } from 'node:fs';
import { Validator } from '@seriousme/openapi-schema-validator';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { OPENAPI_FILE, openApiDocument } from '../../../lib/api/openapi';
import { ROUTES } from '../../../lib/api/routes';
import { contractProblems } from '../../support/contract';

/** The routes the helpers agreed on (common brief): the document must describe each. */
const AGREED_ROUTES = [
  'GET /runs',
  'POST /runs',
  'GET /runs/{id}',
  'GET /discrepancies',
  'GET /discrepancies/totals',
  'GET /discrepancies/{id}',
  'POST /discrepancies/{id}/{action}',
  'GET /history/verify',
  'GET /openapi.json',
  'GET /console',
  'GET /console/{proxy}',
  'GET /console/config.json',
  'POST /dev/token',
];

/** The parts of an operation the break-it test changes. */
const operationParts = z.looseObject({ responses: z.record(z.string(), z.looseObject({})), parameters: z.array(z.looseObject({})) });

async function validate(document: object) {
  return new Validator().validate(JSON.parse(JSON.stringify(document)));
}

describe('the OpenAPI document (lib/api/openapi.ts)', () => {
  it('is what docs/openapi.json holds', () => {
    const kept = JSON.parse(readFileSync(OPENAPI_FILE, 'utf8'));
    expect(kept, `${OPENAPI_FILE} differs from the route table and schemas: run \`npm run openapi\` and commit it`).toEqual(
      JSON.parse(JSON.stringify(openApiDocument())),
    );
  });

  it('validates as OpenAPI 3.1 with a real validator', async () => {
    const result = await validate(openApiDocument());
    expect(result.errors).toBeUndefined();
    expect(result.valid).toBe(true);
  });

  // OpenAPI 3.1 no longer requires `responses` on an operation; it does require each response's description.
  it('is refused by that validator when an answer lacks its description, or a path parameter is not required', async () => {
    const document = openApiDocument();
    const getRun = operationParts.parse(document.paths['/runs/{id}']?.get);
    const { description: _dropped, ...undescribed } = getRun.responses?.['200'] ?? {};
    const noDescription = { ...getRun, responses: { ...getRun.responses, 200: undescribed } };
    const optionalId = { ...getRun, parameters: [{ ...getRun.parameters?.[0], required: false }] };
    for (const broken of [noDescription, optionalId]) {
      const result = await validate({ ...document, paths: { ...document.paths, '/runs/{id}': { get: broken } } });
      expect(result.valid).toBe(false);
    }
  });

  it('describes every agreed route, each needing a token but the public ones, with the role it needs', () => {
    const document = openApiDocument();
    const described = Object.entries(document.paths).flatMap(([path, item]) =>
      Object.keys(item).map((method) => `${method.toUpperCase()} ${path}`),
    );
    expect(described.sort()).toEqual([...AGREED_ROUTES].sort());
    expect(document.paths['/discrepancies/{id}/{action}']?.post).toMatchObject({
      security: [{ bearerAuth: [] }],
      'x-required-role': 'compliance',
    });
    expect(document.paths['/runs']?.get).toMatchObject({ 'x-required-role': 'compliance-read or compliance' });
    expect(document.paths['/openapi.json']?.get).toMatchObject({ security: [] });
  });

  it('gives every route its error answers: 401 and 403 behind a token, 400 where input is parsed, 500 always', () => {
    const document = openApiDocument();
    for (const route of ROUTES) {
      const statuses = Object.keys(document.paths[route.path]?.[route.method]?.responses ?? {});
      expect(statuses, `${route.method} ${route.path}`).toContain('500');
      if (route.access !== 'public') expect(statuses, `${route.method} ${route.path}`).toEqual(expect.arrayContaining(['401', '403']));
      if (route.request?.query || route.request?.body) expect(statuses, `${route.method} ${route.path}`).toContain('400');
    }
  });

  it('writes amounts as decimal strings, never numbers', () => {
    const { schemas } = openApiDocument().components;
    expect(schemas.Discrepancy?.properties).toMatchObject({
      expected: { type: 'string', pattern: '^-?\\d+(\\.\\d+)?$' },
      difference: { type: 'string', pattern: '^-?\\d+(\\.\\d+)?$' },
    });
  });
});

describe('contractProblems (test/support/contract.ts)', () => {
  const problem = { message: 'not found', problem: 'no run with id r-1' };

  it('accepts a conforming answer and names what is wrong with one that is not', () => {
    expect(contractProblems('GET', '/runs/{id}', 404, problem)).toEqual([]);
    expect(contractProblems('GET', '/runs/{id}', 404, { message: 'not found' })).toEqual([
      expect.stringContaining("must have required property 'problem'"),
    ]);
  });

  it('refuses a number where the contract has a decimal string', () => {
    const answer = { runId: 'r-1', status: 'running', progress: { users: 1, positions: 2, discrepancies: 0 } };
    expect(contractProblems('GET', '/runs/{id}', 200, answer)).toEqual([]);
    const totals = { rootAsset: 'usdt', bySeverity: { high: { count: 1, value: 12.5, unpriced: 0 } }, byCheck: {} };
    expect(contractProblems('GET', '/discrepancies/totals', 200, totals)).toEqual([
      expect.stringMatching(/^\/bySeverity\/high\/value must be string/),
    ]);
    expect(
      contractProblems('GET', '/discrepancies/totals', 200, { ...totals, bySeverity: { high: { count: 1, value: '1.2e3', unpriced: 0 } } }),
    ).toEqual([expect.stringMatching(/^\/bySeverity\/high\/value must match pattern/)]);
  });

  it('refuses a status the route does not declare', () => {
    expect(contractProblems('POST', '/runs', 200, {})).toEqual(['the contract has no JSON answer 200 for POST /runs']);
  });
});
