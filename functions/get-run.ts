import middy from '@middy/core';
import type { z } from 'zod';
import { showRun } from '../lib/compliance/compliance-actions';
import { runIdPath } from '../lib/compliance/request-schemas';
import { storeContainer, storeContainerLog } from '../lib/handlers/store-container';
import { type AuthorizedHttpEvent, authorize } from '../lib/middleware/authorize';
import { httpErrorResponse } from '../lib/middleware/error-response';
import { observe } from '../lib/middleware/observe';
import { json, type ParsedHttpRequest, parseHttpRequest } from '../lib/middleware/parse-http-request';

/** `GET /runs/{id}`: a run's summary (status, counts per check and outcome, sources, discrepancies). */
export const handler = middy<ParsedHttpRequest<z.infer<typeof runIdPath>, unknown, unknown, AuthorizedHttpEvent>>()
  .use(observe())
  .use(httpErrorResponse(storeContainerLog))
  .use(authorize({ access: 'read' }))
  .use(parseHttpRequest({ path: runIdPath }))
  .handler(async ({ path }) => json(200, await showRun(storeContainer().compliance, path.id)));
