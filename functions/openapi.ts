import middy from '@middy/core';
import { answer } from '../lib/api/answer';
import { openApiDocument } from '../lib/api/openapi';
import { openApiAnswerSchema } from '../lib/api/schemas';
import { logContainer } from '../lib/handlers/log-container';
import type { WiringSource } from '../lib/handlers/wiring-source';
import type { Logger } from '../lib/log';
import { httpErrorResponse } from '../lib/middleware/error-response';
import { observe } from '../lib/middleware/observe';

/** The document, built on the first call of a container: it depends on the code only. */
let built: ReturnType<typeof answer> | undefined;

/** On a wiring (a logger, for the error answer; no store, no secret): `GET /openapi.json`, the API's OpenAPI 3.1 document, to anyone. */
export function handlerWith(wiring: WiringSource<{ log: Logger }>) {
  return middy()
    .use(observe())
    .use(httpErrorResponse(wiring.log))
    .handler(async () => {
      built ??= answer(200, openApiAnswerSchema, openApiDocument());
      return built;
    });
}

/** `GET /openapi.json`: the API's OpenAPI 3.1 document (docs/api.md), public like any API description. */
export const handler = handlerWith(logContainer);
