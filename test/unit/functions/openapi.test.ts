import { readFileSync } from 'node:fs';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { describe, expect, it, vi } from 'vitest';
import { handlerWith } from '../../../functions/openapi';
import { openApiDocument } from '../../../lib/api/openapi';
import { createLogger } from '../../../lib/log';
import { expectConforms } from '../../support/contract';

const sample: APIGatewayProxyEventV2 = JSON.parse(readFileSync('events/get-openapi.json', 'utf8'));

describe('GET /openapi.json (functions/openapi.ts)', () => {
  it('answers the document to a caller without a token, from a wiring it asks nothing of but a logger', async () => {
    const log = createLogger('error');
    const wiring = { get: vi.fn(() => ({ log })), log: () => log };
    const handler = handlerWith(wiring);
    const answer = (await handler(sample as never, { awsRequestId: 'req-1' } as Context)) as APIGatewayProxyStructuredResultV2;
    expect(answer).toMatchObject({ statusCode: 200, headers: { 'content-type': 'application/json' } });
    const body = JSON.parse(String(answer.body));
    expect(body).toEqual(JSON.parse(JSON.stringify(openApiDocument())));
    expectConforms('GET', '/openapi.json', 200, body);
    expect(wiring.get).not.toHaveBeenCalled();
  });
});
