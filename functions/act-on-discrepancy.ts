import middy from '@middy/core';
import type { z } from 'zod';
import { actOnDiscrepancy } from '../lib/compliance/compliance-actions';
import { discrepancyActionBody, discrepancyActionPath } from '../lib/compliance/request-schemas';
import { storeContainer } from '../lib/handlers/store-container';
import type { WiringSource } from '../lib/handlers/wiring-source';
import { type AuthorizedHttpEvent, authorize } from '../lib/middleware/authorize';
import { httpErrorResponse } from '../lib/middleware/error-response';
import { observe } from '../lib/middleware/observe';
import { json, type ParsedHttpRequest, parseHttpRequest } from '../lib/middleware/parse-http-request';
import type { StoreWiring } from '../lib/store-wiring';

type ActionEvent = ParsedHttpRequest<
  z.infer<typeof discrepancyActionPath>,
  unknown,
  z.infer<typeof discrepancyActionBody>,
  AuthorizedHttpEvent
>;

/**
 * On a wiring (the store only): `POST /discrepancies/{id}/{acknowledge|assign|resolve|approve|reject}`: a person
 * acts on a discrepancy, with a note, under their identity (a high or critical one's resolution takes a second person).
 */
export function handlerWith(wiring: WiringSource<Pick<StoreWiring, 'compliance' | 'clock'>>) {
  return middy<ActionEvent>()
    .use(observe())
    .use(httpErrorResponse(wiring.log))
    .use(authorize({ access: 'act' }))
    .use(parseHttpRequest({ path: discrepancyActionPath, body: discrepancyActionBody }))
    .handler(async ({ path, body, http }) => {
      const { compliance, clock } = wiring.get();
      const state = await actOnDiscrepancy(compliance, path.action, path.id, http.caller.sub, body.note, clock.now(), body.assignee);
      return json(200, state);
    });
}

/** `POST /discrepancies/{id}/{action}`: a person acts on a discrepancy, with a note, under their identity. */
export const handler = handlerWith(storeContainer);
