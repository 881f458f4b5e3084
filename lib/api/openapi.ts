import { z } from 'zod';
import { version } from '../../package.json';
import { ROUTES, type Route, type RouteAnswer, type RouteError } from './routes';
import {
  badRequestAnswerSchema,
  breakTotalsSchema,
  chainBreakSchema,
  chainVerdictSchema,
  consoleConfigSchema,
  devTokenAnswerSchema,
  discrepancyDetailSchema,
  discrepancyPageSchema,
  discrepancyStateSchema,
  historyVerificationPageSchema,
  internalErrorAnswerSchema,
  lifecycleEventSchema,
  openApiAnswerSchema,
  problemAnswerSchema,
  runInProgressSchema,
  runPageSchema,
  runStateSchema,
  runSummarySchema,
} from './schemas';

/** A JSON Schema or OpenAPI object as written into the document. */
type JsonObject = Record<string, unknown>;

/** Where the document is kept in the repository (`npm run openapi` writes it). */
export const OPENAPI_FILE = 'docs/openapi.json';

/** Where the document's named schemas live: `$ref`s point here. */
const COMPONENTS = '#/components/schemas/';

/**
 * The shapes more than one answer shares, by the name the document gives them. A route's answer
 * schema not named here gets `<OperationId>Answer`, so a new route needs no edit of this file.
 */
const NAMED_ANSWERS: Record<string, z.ZodType> = {
  RunInProgress: runInProgressSchema,
  RunSummary: runSummarySchema,
  RunState: runStateSchema,
  RunPage: runPageSchema,
  Discrepancy: discrepancyStateSchema,
  DiscrepancyPage: discrepancyPageSchema,
  DiscrepancyDetail: discrepancyDetailSchema,
  LifecycleEvent: lifecycleEventSchema,
  BreakTotals: breakTotalsSchema,
  ChainBreak: chainBreakSchema,
  ChainVerdict: chainVerdictSchema,
  HistoryVerificationPage: historyVerificationPageSchema,
  DevTokenAnswer: devTokenAnswerSchema,
  ConsoleConfig: consoleConfigSchema,
  OpenApiDocument: openApiAnswerSchema,
  BadRequest: badRequestAnswerSchema,
  Problem: problemAnswerSchema,
  InternalError: internalErrorAnswerSchema,
};

/** The error answers: their component and what they mean. */
const ERRORS: Record<RouteError | 401 | 403 | 500, { component: string; description: string }> = {
  400: { component: 'BadRequest', description: 'The request is wrong: every problem named, with its part (path, query, body)' },
  401: { component: 'Problem', description: 'No bearer token, or one that does not verify' },
  403: { component: 'Problem', description: 'The token does not grant the role the route needs' },
  404: { component: 'Problem', description: 'Nothing has that id' },
  409: { component: 'Problem', description: 'The discrepancy’s status does not allow the action, or someone acted first' },
  500: { component: 'InternalError', description: 'Something failed on the server: the request id finds its log line' },
  503: { component: 'Problem', description: 'The store is busy: nothing was changed, try again (Retry-After)' },
};

/** The role a route needs, by the default role names (AUTH_READ_ROLE, AUTH_ACT_ROLE). */
const REQUIRED_ROLE = { read: 'compliance-read or compliance', act: 'compliance' } as const;

const pascal = (name: string) => `${name[0]?.toUpperCase() ?? ''}${name.slice(1)}`;

/** A zod schema as a JSON Schema 2020-12 fragment, without the `$schema` and `$id` a document's parts do not carry. */
function fragment(schema: JsonObject): JsonObject {
  const { $schema: _schema, $id: _id, ...rest } = schema;
  return rest;
}

/** The named schemas, each written once by zod (`io` output for answers, input for request bodies), referring to each other. */
function namedSchemas(named: Map<z.ZodType, string>, io: 'input' | 'output'): Record<string, JsonObject> {
  const registry = z.registry<{ id: string }>();
  for (const [schema, id] of named) registry.add(schema, { id });
  const { schemas } = z.toJSONSchema(registry, { target: 'draft-2020-12', io, uri: (id) => `${COMPONENTS}${id}` });
  return Object.fromEntries(Object.entries(schemas).map(([id, schema]) => [id, fragment(schema)]));
}

/** Each route's JSON answers and request bodies, by the component name they get. */
function componentNames(routes: readonly Route[]) {
  const answers = new Map<z.ZodType, string>(Object.entries(NAMED_ANSWERS).map(([id, schema]) => [schema, id]));
  const bodies = new Map<z.ZodType, string>();
  for (const route of routes) {
    for (const answer of Object.values(route.answers)) {
      if ('schema' in answer && !answers.has(answer.schema)) answers.set(answer.schema, `${pascal(route.operationId)}Answer`);
    }
    if (route.request?.body && !bodies.has(route.request.body)) bodies.set(route.request.body, `${pascal(route.operationId)}Request`);
  }
  return { answers, bodies };
}

/** The path and query parameters of a route, each with the schema its value must pass once parsed. */
function parameters(route: Route): JsonObject[] {
  const of = (where: 'path' | 'query', object: z.ZodObject | undefined) =>
    Object.entries(object?.shape ?? {}).map(([name, schema]) => ({
      name,
      in: where,
      required: where === 'path' || !schema.safeParse(undefined).success,
      schema: fragment(z.toJSONSchema(schema, { target: 'draft-2020-12', io: 'output' })),
    }));
  return [...of('path', route.request?.path), ...of('query', route.request?.query)];
}

/** A JSON body of a named schema. */
const jsonContent = (name: string) => ({ 'application/json': { schema: { $ref: `${COMPONENTS}${name}` } } });

/** A route's answers: its successes, then its errors and those every route may give. */
function responses(route: Route, answers: Map<z.ZodType, string>): JsonObject {
  const success = (answer: RouteAnswer) => ({
    description: answer.description,
    content: 'schema' in answer ? jsonContent(answers.get(answer.schema) ?? '') : { [answer.mediaType]: { schema: { type: 'string' } } },
  });
  const errors: (keyof typeof ERRORS)[] = [...(route.errors ?? []), ...(route.access === 'public' ? [] : ([401, 403] as const)), 500];
  return Object.fromEntries([
    ...Object.entries(route.answers).map(([status, answer]) => [status, success(answer)]),
    ...errors
      .sort((a, b) => a - b)
      .map((status) => [String(status), { description: ERRORS[status].description, content: jsonContent(ERRORS[status].component) }]),
  ]);
}

/** One route as an OpenAPI operation, with the role it needs in words and as `x-required-role`. */
function operation(route: Route, names: ReturnType<typeof componentNames>): JsonObject {
  const body = route.request?.body;
  const access =
    route.access === 'public'
      ? { security: [], 'x-access': 'public' }
      : { security: [{ bearerAuth: [] }], 'x-access': route.access, 'x-required-role': REQUIRED_ROLE[route.access] };
  const params = parameters(route);
  return {
    operationId: route.operationId,
    summary: route.summary,
    description: route.access === 'public' ? 'No token needed.' : `Needs a bearer token granting ${REQUIRED_ROLE[route.access]}.`,
    ...access,
    ...(params.length > 0 && { parameters: params }),
    ...(body && { requestBody: { required: true, content: jsonContent(names.bodies.get(body) ?? '') } }),
    responses: responses(route, names.answers),
  };
}

/**
 * The OpenAPI 3.1 document of the HTTP API, built from the route table and the zod schemas the
 * handlers and the clients use (`GET /openapi.json`, docs/openapi.json). Amounts are strings.
 * @example openApiDocument().paths['/runs/{id}'].get.responses['200'] // { content: { 'application/json': { schema: { $ref: '#/components/schemas/RunState' } } } }
 */
export function openApiDocument(routes: readonly Route[] = ROUTES) {
  const names = componentNames(routes);
  const paths: Record<string, Record<string, JsonObject>> = {};
  for (const route of routes) paths[route.path] = { ...paths[route.path], [route.method]: operation(route, names) };
  return {
    openapi: '3.1.0',
    info: {
      title: 'balance-recon compliance API',
      version,
      description:
        'Reconciliation runs and the discrepancies they find, worked by compliance analysts (docs/api.md). ' +
        'Amounts are exact decimal strings, never JSON numbers. Generated from lib/api/routes.ts and lib/api/schemas.ts.',
    },
    paths,
    components: {
      schemas: { ...namedSchemas(names.answers, 'output'), ...namedSchemas(names.bodies, 'input') },
      securitySchemes: {
        bearerAuth: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'JWT',
          description:
            'An access token of the organisation’s OIDC issuer (locally, a dev token). Its roles claim (AUTH_ROLES_CLAIM) must hold ' +
            'the read role (AUTH_READ_ROLE, default compliance-read) or the act role (AUTH_ACT_ROLE, default compliance).',
        },
      },
    },
  };
}

/** The document's type: what `GET /openapi.json` answers. */
export type OpenApiDocument = ReturnType<typeof openApiDocument>;
