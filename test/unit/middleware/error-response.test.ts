import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { InvalidTransitionError } from '../../../lib/domain/lifecycle';
import { ConcurrentUpdateError, StoreBusyError } from '../../../lib/errors';
import type { Logger } from '../../../lib/log';
import { httpErrorResponse } from '../../../lib/middleware/error-response';

const context = { awsRequestId: 'req-1' } as unknown as Context;

/** A handler that throws `error`, behind the HTTP error mapping, with the lines it logs. */
async function answerTo(error: Error) {
  const lines: [string, string, Record<string, unknown> | undefined][] = [];
  const record =
    (level: string) =>
    (message: string, fields?: Record<string, unknown>): void => {
      lines.push([level, message, fields]);
    };
  const log = { debug: record('debug'), info: record('info'), warn: record('warn'), error: record('error') } as unknown as Logger;
  const handler = middy()
    .use(httpErrorResponse(() => log))
    .handler(async () => {
      throw error;
    });
  return { response: (await handler({}, context)) as { statusCode: number; headers: Record<string, string>; body: string }, lines };
}

describe('httpErrorResponse', () => {
  it('answers a write DynamoDB kept refusing for now with 503 and Retry-After, logged as a warning, not as a failure', async () => {
    const { response, lines } = await answerTo(new StoreBusyError(['sanity:u1:btc'], ['ThrottlingError']));
    expect(response.statusCode).toBe(503);
    expect(response.headers['retry-after']).toBe('1');
    expect(JSON.parse(response.body)).toEqual({ message: 'busy', problem: 'nothing was changed: try again' });
    expect(lines).toEqual([['warn', 'store busy', { reasons: ['ThrottlingError'] }]]);
  });

  it('answers a concurrent update and a transition the status refuses with 409', async () => {
    for (const error of [
      new ConcurrentUpdateError('sanity:u1:btc'),
      new InvalidTransitionError('sanity:u1:btc', 'acknowledged', 'acknowledged'),
    ]) {
      expect((await answerTo(error)).response.statusCode).toBe(409);
    }
  });
});
