import { readFileSync } from 'node:fs';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { describe, expect, it, vi } from 'vitest';
import { handlerWith } from '../../../functions/get-run';
import { signDevToken } from '../../../lib/auth/jwt';
import { createLogger } from '../../../lib/log';
import type { CompliancePort } from '../../../lib/ports/compliance';
import type { RunSummary } from '../../../lib/ports/run-summary';

const DEV_KEY = 'dev-key-of-at-least-thirty-two-characters';
vi.stubEnv('AUTH_DEV_KEY', DEV_KEY);
vi.stubEnv('AUTH_ISSUER', '');
vi.stubEnv('AUTH_AUDIENCE', '');

const sample: APIGatewayProxyEventV2 = JSON.parse(readFileSync('events/get-run.json', 'utf8'));
const { authorizer: _authorizer, ...requestContext } = sample.requestContext as APIGatewayProxyEventV2['requestContext'] & {
  authorizer?: unknown;
};
const runId = sample.pathParameters?.id ?? '';
const stored = { runId, status: 'complete' } as unknown as RunSummary;

/** `GET /runs/{id}` on a fake wiring: a store holding one run, counting how often the handler reached it. */
function fakeWiring() {
  const getRun = vi.fn(async (id: string) => (id === runId ? stored : undefined));
  const log = createLogger('error');
  const wiring = { get: vi.fn(() => ({ compliance: { getRun } as unknown as CompliancePort })), log: () => log };
  return { wiring, getRun };
}

const call = (handler: ReturnType<typeof handlerWith>, id: string, authorization?: string) =>
  handler(
    {
      ...sample,
      rawPath: `/runs/${id}`,
      pathParameters: { id },
      headers: { 'content-type': 'application/json', ...(authorization && { authorization }) },
      requestContext,
    } as never,
    { awsRequestId: 'req-1' } as Context,
  ) as Promise<APIGatewayProxyStructuredResultV2>;
const bearer = `Bearer ${signDevToken({ sub: 'analyst@example.com', roles: ['compliance'], ttlSeconds: 600, key: DEV_KEY })}`;

describe('GET /runs/{id} handler on a wiring', () => {
  it('answers the run the wiring’s store holds, and 404 for one it does not', async () => {
    const { wiring, getRun } = fakeWiring();
    const handler = handlerWith(wiring);
    const found = await call(handler, runId, bearer);
    expect(found.statusCode).toBe(200);
    expect(JSON.parse(found.body as string)).toEqual(stored);
    expect((await call(handler, 'r-20261122T000000Z-ffffffff', bearer)).statusCode).toBe(404);
    expect(getRun).toHaveBeenCalledTimes(2);
  });

  it('does not reach the wiring for a caller without a token', async () => {
    const { wiring } = fakeWiring();
    expect((await call(handlerWith(wiring), runId)).statusCode).toBe(401);
    expect(wiring.get).not.toHaveBeenCalled();
  });
});
