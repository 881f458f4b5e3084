import { z } from 'zod';
import {
  DISCREPANCY_ACTIONS,
  devTokenBody,
  discrepancyActionBody,
  discrepancyActionPath,
  discrepancyIdPath,
  discrepancyListQuery,
  discrepancyTotalsQuery,
  historyVerifyQuery,
  runIdPath,
  runListQuery,
} from '../compliance/request-schemas';
import { manualRunBody } from '../handlers/run-options';
import {
  breakTotalsSchema,
  consoleConfigSchema,
  devTokenAnswerSchema,
  discrepancyDetailSchema,
  discrepancyPageSchema,
  discrepancyStateSchema,
  historyVerificationPageSchema,
  openApiAnswerSchema,
  runInProgressSchema,
  runPageSchema,
  runStateSchema,
} from './schemas';

/** Who may call a route: the read role, the act role, or anyone (no token). */
export type RouteAccess = 'read' | 'act' | 'public';

/** A success answer of a route: a JSON body of a schema of lib/api/schemas.ts, or a file of another media type. */
export type RouteAnswer = { description: string; schema: z.ZodType } | { description: string; mediaType: string };

/** The error answers a route gives beyond those every route may give (401 and 403 when it needs a token, 500). */
export type RouteError = 400 | 404 | 409 | 503;

/** `GET /console/{proxy+}`: the file's path under /console/. */
const consoleFilePath = z.strictObject({ proxy: z.string() });

/** One route of the HTTP API: the OpenAPI document, the conformance tests and docs/api.md are built from this table. */
export interface Route {
  method: 'get' | 'post';
  /** The path as an OpenAPI template (`/runs/{id}`). */
  path: string;
  operationId: string;
  summary: string;
  access: RouteAccess;
  /** The request schemas the handler parses with (lib/compliance/request-schemas.ts, lib/handlers/run-options.ts). */
  request?: { path?: z.ZodObject; query?: z.ZodObject; body?: z.ZodType };
  /** The success answers by status. */
  answers: Partial<Record<200 | 202, RouteAnswer>>;
  errors?: RouteError[];
}

/**
 * Every route of the HTTP API, in the order docs/api.md lists them. The schemas are the very ones
 * the handlers parse requests with and the clients parse answers with, so the document cannot
 * describe an API other than the one that runs.
 */
export const ROUTES: readonly Route[] = [
  {
    method: 'get',
    path: '/runs',
    operationId: 'listRuns',
    summary: 'Runs, newest first, a page at a time',
    access: 'read',
    request: { query: runListQuery },
    answers: { 200: { description: 'A page of runs and the cursor of the next one', schema: runPageSchema } },
    errors: [400],
  },
  {
    method: 'post',
    path: '/runs',
    operationId: 'startRun',
    summary: 'Queue a reconciliation run (scope, dry run) under the caller’s identity',
    access: 'act',
    request: { body: manualRunBody },
    answers: { 202: { description: 'The run is queued: follow it with GET /runs/{id}', schema: runInProgressSchema } },
    errors: [400, 503],
  },
  {
    method: 'get',
    path: '/runs/{id}',
    operationId: 'getRun',
    summary: 'A run: its progress while it runs, its summary once finished',
    access: 'read',
    request: { path: runIdPath },
    answers: { 200: { description: 'The run, queued, running or finished', schema: runStateSchema } },
    errors: [400, 404],
  },
  {
    method: 'get',
    path: '/discrepancies',
    operationId: 'listDiscrepancies',
    summary: 'Discrepancies by status, severity, check, asset and user, most severe first',
    access: 'read',
    request: { query: discrepancyListQuery },
    answers: { 200: { description: 'A page of discrepancies and the cursor of the next one', schema: discrepancyPageSchema } },
    errors: [400],
  },
  {
    method: 'get',
    path: '/discrepancies/totals',
    operationId: 'discrepancyTotals',
    summary: 'Count and root-asset value of the open and acknowledged breaks, per severity and per check',
    access: 'read',
    request: { query: discrepancyTotalsQuery },
    answers: { 200: { description: 'The totals of the breaks the filter selects', schema: breakTotalsSchema } },
    errors: [400],
  },
  {
    method: 'get',
    path: '/discrepancies/{id}',
    operationId: 'getDiscrepancy',
    summary: 'One discrepancy with its evidence, its history and whether that history verifies',
    access: 'read',
    request: { path: discrepancyIdPath },
    answers: { 200: { description: 'The discrepancy and its history, oldest first', schema: discrepancyDetailSchema } },
    errors: [400, 404],
  },
  {
    method: 'post',
    path: '/discrepancies/{id}/{action}',
    operationId: 'actOnDiscrepancy',
    summary: `A person acts on a discrepancy with a note (${DISCREPANCY_ACTIONS.join(', ')}): maker-checker for high and critical`,
    access: 'act',
    request: { path: discrepancyActionPath, body: discrepancyActionBody },
    answers: { 200: { description: 'The discrepancy after the action', schema: discrepancyStateSchema } },
    errors: [400, 404, 409, 503],
  },
  {
    method: 'get',
    path: '/history/verify',
    operationId: 'verifyHistory',
    summary: 'Check the hash chains of a page of discrepancies’ histories and name the first entry that does not verify',
    access: 'read',
    request: { query: historyVerifyQuery },
    answers: { 200: { description: 'How many chains were checked, and the broken ones', schema: historyVerificationPageSchema } },
    errors: [400],
  },
  {
    method: 'get',
    path: '/openapi.json',
    operationId: 'openApiDocument',
    summary: 'This document',
    access: 'public',
    answers: { 200: { description: 'The OpenAPI 3.1 document of the API', schema: openApiAnswerSchema } },
  },
  {
    method: 'get',
    path: '/console',
    operationId: 'console',
    summary: 'The analysts’ web console',
    access: 'public',
    answers: { 200: { description: 'The console’s page', mediaType: 'text/html' } },
  },
  {
    method: 'get',
    path: '/console/{proxy}',
    operationId: 'consoleFile',
    summary: 'A file of the console’s bundle (API Gateway’s `{proxy+}`: any path under /console/)',
    access: 'public',
    request: { path: consoleFilePath },
    answers: { 200: { description: 'The file', mediaType: '*/*' } },
    errors: [404],
  },
  {
    method: 'get',
    path: '/console/config.json',
    operationId: 'consoleConfig',
    summary: 'How the console signs people in: the OIDC issuer deployed, the dev sign-in locally',
    access: 'public',
    answers: { 200: { description: 'The console’s sign-in settings', schema: consoleConfigSchema } },
  },
  {
    method: 'post',
    path: '/dev/token',
    operationId: 'devToken',
    summary: 'Local stage only: mint a dev token for a user with read or act access (404 on every deployed stage)',
    access: 'public',
    request: { body: devTokenBody },
    answers: { 200: { description: 'A signed dev token', schema: devTokenAnswerSchema } },
    errors: [400, 404],
  },
];
