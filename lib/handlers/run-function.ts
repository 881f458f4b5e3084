import middy from '@middy/core';
import type { z } from 'zod';
import { logErrors } from '../middleware/error-response';
import { observe } from '../middleware/observe';
import { parseEvent } from '../middleware/parse-event';
import { ssmSecrets, venueCredentialSecrets } from '../middleware/ssm-secrets';
import type { Wiring } from '../wiring';
import type { WiringSource } from './wiring-source';

/**
 * The middlewares every run function (scheduled, direct, shard) runs before its handler, in one
 * place: the Lambda context on the logs and the upstream pressure metered once `wiring` is built,
 * errors logged with its logger, the event parsed with `schema`, then the SSM secrets (the
 * upstream tokens, the INDX traders' credentials) put on the context for `wiring.get(secrets)`.
 */
export function runFunction<S extends z.ZodType>(wiring: WiringSource<Wiring>, schema: S) {
  return middy<z.infer<S>>()
    .use(observe(() => wiring.built?.()))
    .use(logErrors(wiring.log))
    .use(parseEvent(schema))
    .use(ssmSecrets())
    .use(venueCredentialSecrets());
}
