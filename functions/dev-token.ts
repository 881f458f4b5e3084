import middy from '@middy/core';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type { z } from 'zod';
import { issueDevToken } from '../lib/auth/dev-sign-in';
import { devTokenBody } from '../lib/compliance/request-schemas';
import { logContainer } from '../lib/handlers/log-container';
import type { WiringSource } from '../lib/handlers/wiring-source';
import type { Logger } from '../lib/log';
import { type DevSignInEvent, devSignInOnly } from '../lib/middleware/dev-sign-in-only';
import { httpErrorResponse } from '../lib/middleware/error-response';
import { observe } from '../lib/middleware/observe';
import { json, type ParsedHttpRequest, parseHttpRequest } from '../lib/middleware/parse-http-request';

/**
 * On a wiring (a logger) and an environment: `POST /dev/token` `{ sub, access }` → `{ token, sub, roles, expiresAt }`,
 * a token signed with `AUTH_DEV_KEY` for the console's "Sign in locally" and `recon login --local`. 404 without
 * the key, which every deployed stage lacks.
 */
export function handlerWith(wiring: WiringSource<{ log: Logger }>, env: NodeJS.ProcessEnv = process.env) {
  return middy<ParsedHttpRequest<unknown, unknown, z.infer<typeof devTokenBody>, APIGatewayProxyEventV2 & DevSignInEvent>>()
    .use(observe())
    .use(httpErrorResponse(wiring.log))
    .use(devSignInOnly(env))
    .use(parseHttpRequest({ body: devTokenBody }))
    .handler(async ({ body, http }) => json(200, issueDevToken(http.devSignIn, body)));
}

/** `POST /dev/token` (local stage only): a dev token for a user name, with the read or act role. */
export const handler = handlerWith(logContainer);
