import middy from '@middy/core';
import type { z } from 'zod';
import { answer } from '../lib/api/answer';
import { runStateSchema } from '../lib/api/schemas';
import { showRun } from '../lib/compliance/compliance-actions';
import { runIdPath } from '../lib/compliance/request-schemas';
import { storeContainer } from '../lib/handlers/store-container';
import type { WiringSource } from '../lib/handlers/wiring-source';
import { type AuthorizedHttpEvent, authorize } from '../lib/middleware/authorize';
import { httpErrorResponse } from '../lib/middleware/error-response';
import { observe } from '../lib/middleware/observe';
import { type ParsedHttpRequest, parseHttpRequest } from '../lib/middleware/parse-http-request';
import type { StoreWiring } from '../lib/store-wiring';

/** On a wiring (the store only): `GET /runs/{id}`: a run's summary (status, counts per check and outcome, sources, discrepancies). */
export function handlerWith(wiring: WiringSource<Pick<StoreWiring, 'compliance'>>) {
  return middy<ParsedHttpRequest<z.infer<typeof runIdPath>, unknown, unknown, AuthorizedHttpEvent>>()
    .use(observe())
    .use(httpErrorResponse(wiring.log))
    .use(authorize({ access: 'read' }))
    .use(parseHttpRequest({ path: runIdPath }))
    .handler(async ({ path }) => answer(200, runStateSchema, await showRun(wiring.get().compliance, path.id)));
}

/** `GET /runs/{id}`: a run's summary (status, counts per check and outcome, sources, discrepancies). */
export const handler = handlerWith(storeContainer);
