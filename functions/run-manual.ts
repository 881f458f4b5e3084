import middy from '@middy/core';
import { z } from 'zod';
import { containerLog } from '../lib/handlers/container';
import { runFromTrigger } from '../lib/handlers/run-from-trigger';
import { httpErrorResponse } from '../lib/middleware/error-response';
import { type ParsedHttpEvent, parseHttpJson } from '../lib/middleware/parse-http-json';
import { secretsFromContext, ssmSecrets } from '../lib/middleware/ssm-secrets';

/** `POST /runs` body. Scopes arrive in a later version; unknown fields are refused, not ignored. */
const manualRunBody = z.strictObject({
  requestedBy: z.string().min(1).max(200).optional(),
  /** The as-of time of the run (ISO 8601); default now. */
  asOf: z.iso.datetime({ offset: true }).optional(),
});

/** The manual trigger: `POST /runs` runs a reconciliation now and answers with its summary. */
export const handler = middy<ParsedHttpEvent<z.infer<typeof manualRunBody>>>()
  .use(httpErrorResponse(containerLog))
  .use(parseHttpJson(manualRunBody))
  .use(ssmSecrets())
  .handler(async ({ body }, context) => {
    const summary = await runFromTrigger({ type: 'manual', by: body.requestedBy ?? 'anonymous' }, secretsFromContext(context), body.asOf);
    return { statusCode: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify(summary) };
  });
