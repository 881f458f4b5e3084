import middy from '@middy/core';
import type { z } from 'zod';
import { answer } from '../lib/api/answer';
import { discrepancyDetailSchema } from '../lib/api/schemas';
import { showDiscrepancy } from '../lib/compliance/compliance-actions';
import { discrepancyIdPath } from '../lib/compliance/request-schemas';
import { storeContainer } from '../lib/handlers/store-container';
import type { WiringSource } from '../lib/handlers/wiring-source';
import { type AuthorizedHttpEvent, authorize } from '../lib/middleware/authorize';
import { httpErrorResponse } from '../lib/middleware/error-response';
import { observe } from '../lib/middleware/observe';
import { type ParsedHttpRequest, parseHttpRequest } from '../lib/middleware/parse-http-request';
import type { StoreWiring } from '../lib/store-wiring';

/** On a wiring (the store only): `GET /discrepancies/{id}`: one discrepancy with its evidence, its history and whether that history verifies. */
export function handlerWith(wiring: WiringSource<Pick<StoreWiring, 'compliance' | 'clock' | 'historyRetentionDays'>>) {
  return middy<ParsedHttpRequest<z.infer<typeof discrepancyIdPath>, unknown, unknown, AuthorizedHttpEvent>>()
    .use(observe())
    .use(httpErrorResponse(wiring.log))
    .use(authorize({ access: 'read' }))
    .use(parseHttpRequest({ path: discrepancyIdPath }))
    .handler(async ({ path }) => {
      const { compliance, clock, historyRetentionDays } = wiring.get();
      return answer(
        200,
        discrepancyDetailSchema,
        await showDiscrepancy(compliance, path.id, { days: historyRetentionDays, now: clock.now() }),
      );
    });
}

/** `GET /discrepancies/{id}`: one discrepancy with its evidence, its history and whether that history verifies. */
export const handler = handlerWith(storeContainer);
