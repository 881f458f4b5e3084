import middy from '@middy/core';
import { z } from 'zod';
import { containerLog } from '../lib/handlers/container';
import { runFromTrigger } from '../lib/handlers/run-from-trigger';
import { type AuthorizedHttpEvent, authorize } from '../lib/middleware/authorize';
import { httpErrorResponse } from '../lib/middleware/error-response';
import { type ParsedHttpEvent, parseHttpJson } from '../lib/middleware/parse-http-json';
import { secretsFromContext, ssmSecrets } from '../lib/middleware/ssm-secrets';

/** `POST /runs` body. Scopes arrive in a later version; unknown fields are refused, not ignored. */
const manualRunBody = z.strictObject({
  /** Accepted for older clients; the run is recorded under the token's `sub`, never this. */
  requestedBy: z.string().min(1).max(200).optional(),
  /** The as-of time of the run (ISO 8601); default now. */
  asOf: z.iso.datetime({ offset: true }).optional(),
});

/** The parsed body, and the raw event with the caller `authorize` verified. */
type ManualRunEvent = ParsedHttpEvent<z.infer<typeof manualRunBody>> & { http: AuthorizedHttpEvent };

/** The manual trigger: `POST /runs` runs a reconciliation now, on behalf of a `compliance` caller, and answers with its summary. */
export const handler = middy<ManualRunEvent>()
  .use(httpErrorResponse(containerLog))
  .use(authorize({ role: 'compliance' }))
  .use(parseHttpJson(manualRunBody))
  .use(ssmSecrets())
  .handler(async ({ body, http }, context) => {
    const summary = await runFromTrigger({ type: 'manual', by: http.caller.sub }, secretsFromContext(context), body.asOf);
    return { statusCode: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify(summary) };
  });
