import middy from '@middy/core';
import type { z } from 'zod';
import { actOnDiscrepancy } from '../lib/compliance/compliance-actions';
import { discrepancyActionBody, discrepancyActionPath } from '../lib/compliance/request-schemas';
import { storeContainer, storeContainerLog } from '../lib/handlers/store-container';
import { type AuthorizedHttpEvent, authorize } from '../lib/middleware/authorize';
import { httpErrorResponse } from '../lib/middleware/error-response';
import { observe } from '../lib/middleware/observe';
import { json, type ParsedHttpRequest, parseHttpRequest } from '../lib/middleware/parse-http-request';

type ActionEvent = ParsedHttpRequest<
  z.infer<typeof discrepancyActionPath>,
  unknown,
  z.infer<typeof discrepancyActionBody>,
  AuthorizedHttpEvent
>;

/** `POST /discrepancies/{id}/acknowledge` and `/resolve`: a person acts on a discrepancy, with a note, under their identity. */
export const handler = middy<ActionEvent>()
  .use(observe())
  .use(httpErrorResponse(storeContainerLog))
  .use(authorize({ access: 'act' }))
  .use(parseHttpRequest({ path: discrepancyActionPath, body: discrepancyActionBody }))
  .handler(async ({ path, body, http }) => {
    const { compliance, clock } = storeContainer();
    const state = await actOnDiscrepancy(compliance, path.action, path.id, http.caller.sub, body.note, clock.now());
    return json(200, state);
  });
