import middy from '@middy/core';
import type { z } from 'zod';
import { answer } from '../lib/api/answer';
import { discrepancyPageSchema } from '../lib/api/schemas';
import { listDiscrepancies } from '../lib/compliance/compliance-actions';
import { discrepancyListQuery } from '../lib/compliance/request-schemas';
import { storeContainer } from '../lib/handlers/store-container';
import type { WiringSource } from '../lib/handlers/wiring-source';
import { type AuthorizedHttpEvent, authorize } from '../lib/middleware/authorize';
import { httpErrorResponse } from '../lib/middleware/error-response';
import { observe } from '../lib/middleware/observe';
import { type ParsedHttpRequest, parseHttpRequest } from '../lib/middleware/parse-http-request';
import type { StoreWiring } from '../lib/store-wiring';

/** On a wiring (the store only): `GET /discrepancies?status=&severity=&check=&asset=&user=&limit=&cursor=`: a page of discrepancies, most severe first. */
export function handlerWith(wiring: WiringSource<Pick<StoreWiring, 'compliance'>>) {
  return middy<ParsedHttpRequest<unknown, z.infer<typeof discrepancyListQuery>, unknown, AuthorizedHttpEvent>>()
    .use(observe())
    .use(httpErrorResponse(wiring.log))
    .use(authorize({ access: 'read' }))
    .use(parseHttpRequest({ query: discrepancyListQuery }))
    .handler(async ({ query }) => {
      const { limit, cursor, user, ...filter } = query;
      const page = await listDiscrepancies(
        wiring.get().compliance,
        { ...filter, ...(user && { userId: user }) },
        { limit, ...(cursor && { cursor }) },
      );
      return answer(200, discrepancyPageSchema, page);
    });
}

/** `GET /discrepancies?status=&severity=&check=&asset=&user=&limit=&cursor=`: a page of discrepancies, most severe first. */
export const handler = handlerWith(storeContainer);
