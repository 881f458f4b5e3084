import middy from '@middy/core';
import type { z } from 'zod';
import { discrepancyTotalsQuery } from '../lib/compliance/request-schemas';
import { type BreakTotalsWiring, breakTotalsContainer } from '../lib/handlers/break-totals-container';
import type { WiringSource } from '../lib/handlers/wiring-source';
import { type AuthorizedHttpEvent, authorize } from '../lib/middleware/authorize';
import { httpErrorResponse } from '../lib/middleware/error-response';
import { observe } from '../lib/middleware/observe';
import { json, type ParsedHttpRequest, parseHttpRequest } from '../lib/middleware/parse-http-request';

/**
 * On a wiring (the totals only): `GET /discrepancies/totals?status=&severity=&check=&asset=&user=`: count and
 * root-asset value per severity and per check of what the filter selects (open and acknowledged by default).
 */
export function handlerWith(wiring: WiringSource<BreakTotalsWiring>) {
  return middy<ParsedHttpRequest<unknown, z.infer<typeof discrepancyTotalsQuery>, unknown, AuthorizedHttpEvent>>()
    .use(observe())
    .use(httpErrorResponse(wiring.log))
    .use(authorize({ access: 'read' }))
    .use(parseHttpRequest({ query: discrepancyTotalsQuery }))
    .handler(async ({ query: { user, ...filter } }) =>
      json(200, await wiring.get().breakTotals.totals({ ...filter, ...(user && { userId: user }) })),
    );
}

/** `GET /discrepancies/totals?status=&severity=&check=&asset=&user=`: the breaks' count and value per severity and per check. */
export const handler = handlerWith(breakTotalsContainer);
