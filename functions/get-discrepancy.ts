import middy from '@middy/core';
import type { z } from 'zod';
import { showDiscrepancy } from '../lib/compliance/compliance-actions';
import { discrepancyIdPath } from '../lib/compliance/request-schemas';
import { storeContainer, storeContainerLog } from '../lib/handlers/store-container';
import { type AuthorizedHttpEvent, authorize } from '../lib/middleware/authorize';
import { httpErrorResponse } from '../lib/middleware/error-response';
import { observe } from '../lib/middleware/observe';
import { json, type ParsedHttpRequest, parseHttpRequest } from '../lib/middleware/parse-http-request';

/** `GET /discrepancies/{id}`: one discrepancy with its evidence and its history. */
export const handler = middy<ParsedHttpRequest<z.infer<typeof discrepancyIdPath>, unknown, unknown, AuthorizedHttpEvent>>()
  .use(observe())
  .use(httpErrorResponse(storeContainerLog))
  .use(authorize({ access: 'read' }))
  .use(parseHttpRequest({ path: discrepancyIdPath }))
  .handler(async ({ path }) => json(200, await showDiscrepancy(storeContainer().compliance, path.id)));
