import middy from '@middy/core';
import type { z } from 'zod';
import { runListQuery } from '../lib/compliance/request-schemas';
import { type RunListWiring, runListContainer } from '../lib/handlers/run-list-container';
import type { WiringSource } from '../lib/handlers/wiring-source';
import { type AuthorizedHttpEvent, authorize } from '../lib/middleware/authorize';
import { httpErrorResponse } from '../lib/middleware/error-response';
import { observe } from '../lib/middleware/observe';
import { json, type ParsedHttpRequest, parseHttpRequest } from '../lib/middleware/parse-http-request';

/** On a wiring (the run list only): `GET /runs?limit=&cursor=`: a page of runs newest first, queued, running and finished. */
export function handlerWith(wiring: WiringSource<RunListWiring>) {
  return middy<ParsedHttpRequest<unknown, z.infer<typeof runListQuery>, unknown, AuthorizedHttpEvent>>()
    .use(observe())
    .use(httpErrorResponse(wiring.log))
    .use(authorize({ access: 'read' }))
    .use(parseHttpRequest({ query: runListQuery }))
    .handler(async ({ query }) =>
      json(200, await wiring.get().runs.listRuns({ limit: query.limit, ...(query.cursor && { cursor: query.cursor }) })),
    );
}

/** `GET /runs?limit=&cursor=`: a page of runs newest first, queued, running and finished. */
export const handler = handlerWith(runListContainer);
