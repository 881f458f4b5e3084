import middy from '@middy/core';
import type { z } from 'zod';
import { answer } from '../lib/api/answer';
import { historyVerificationPageSchema } from '../lib/api/schemas';
import { verifyHistories } from '../lib/compliance/compliance-actions';
import { historyVerifyQuery } from '../lib/compliance/request-schemas';
import { historyAuditContainer } from '../lib/handlers/history-audit-container';
import type { WiringSource } from '../lib/handlers/wiring-source';
import type { HistoryAuditWiring } from '../lib/history-audit-wiring';
import { type AuthorizedHttpEvent, authorize } from '../lib/middleware/authorize';
import { httpErrorResponse } from '../lib/middleware/error-response';
import { observe } from '../lib/middleware/observe';
import { type ParsedHttpRequest, parseHttpRequest } from '../lib/middleware/parse-http-request';

/** On a wiring (the store's reads only): `GET /history/verify?limit=&cursor=`: a page of discrepancies' history chains checked, the broken ones named. */
export function handlerWith(wiring: WiringSource<HistoryAuditWiring>) {
  return middy<ParsedHttpRequest<unknown, z.infer<typeof historyVerifyQuery>, unknown, AuthorizedHttpEvent>>()
    .use(observe())
    .use(httpErrorResponse(wiring.log))
    .use(authorize({ access: 'read' }))
    .use(parseHttpRequest({ query: historyVerifyQuery }))
    .handler(async ({ query }) => {
      const { audit, clock, historyRetentionDays } = wiring.get();
      const page = { limit: query.limit, ...(query.cursor && { cursor: query.cursor }) };
      return answer(
        200,
        historyVerificationPageSchema,
        await verifyHistories(audit, page, { days: historyRetentionDays, now: clock.now() }),
      );
    });
}

/** `GET /history/verify?limit=&cursor=`: a page of discrepancies' history chains checked, the broken ones named. */
export const handler = handlerWith(historyAuditContainer);
