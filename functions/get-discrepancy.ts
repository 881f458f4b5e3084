import middy from '@middy/core';
import type { z } from 'zod';
import { showDiscrepancy } from '../lib/compliance/compliance-actions';
import { discrepancyIdPath } from '../lib/compliance/request-schemas';
import { container, containerLog } from '../lib/handlers/container';
import { type AuthorizedHttpEvent, authorize } from '../lib/middleware/authorize';
import { httpErrorResponse } from '../lib/middleware/error-response';
import { observe } from '../lib/middleware/observe';
import { json, type ParsedHttpRequest, parseHttpRequest } from '../lib/middleware/parse-http-request';

/** `GET /discrepancies/{id}`: one discrepancy with its evidence and its history. */
export const handler = middy<ParsedHttpRequest<z.infer<typeof discrepancyIdPath>, unknown, unknown, AuthorizedHttpEvent>>()
  .use(observe())
  .use(httpErrorResponse(containerLog))
  .use(authorize({ role: 'compliance' }))
  .use(parseHttpRequest({ path: discrepancyIdPath }))
  .handler(async ({ path }) => json(200, await showDiscrepancy(container().compliance, path.id)));
