import middy from '@middy/core';
import { z } from 'zod';
import { logContainer } from '../lib/handlers/log-container';
import type { WiringSource } from '../lib/handlers/wiring-source';
import type { Logger } from '../lib/log';
import { logErrors } from '../lib/middleware/error-response';
import { observe } from '../lib/middleware/observe';
import { parseEvent } from '../lib/middleware/parse-event';

/** The parts of an SNS notification event this subscriber reads. */
const snsEvent = z.object({
  Records: z.array(
    z.object({
      Sns: z.object({
        Subject: z.string().nullish(),
        Message: z.string(),
        MessageAttributes: z.record(z.string(), z.object({ Value: z.string() })).optional(),
      }),
    }),
  ),
});

/** A subscriber of the alerts topic on a wiring (a logger, nothing else) that writes each alert to it. */
export function handlerWith(wiring: WiringSource<{ log: Logger }>) {
  return middy<z.infer<typeof snsEvent>>()
    .use(observe())
    .use(logErrors(wiring.log))
    .use(parseEvent(snsEvent))
    .handler(async (event) => {
      const { log } = wiring.get();
      for (const { Sns } of event.Records) {
        const attributes = Object.fromEntries(Object.entries(Sns.MessageAttributes ?? {}).map(([name, value]) => [name, value.Value]));
        log.info('alert', { subject: Sns.Subject ?? '', attributes, body: Sns.Message });
      }
    });
}

/** A subscriber of the alerts topic that writes each alert to the log (used locally and as an audit trail). */
export const handler = handlerWith(logContainer);
