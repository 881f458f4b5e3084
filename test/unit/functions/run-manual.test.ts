import { readFileSync } from 'node:fs';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { describe, expect, it, vi } from 'vitest';

const runFromTrigger = vi.fn();
vi.mock('../../../lib/handlers/run-from-trigger', () => ({ runFromTrigger }));
const { handler } = await import('../../../functions/run-manual');

const context = { awsRequestId: 'req-1' } as Context;
const sample = JSON.parse(readFileSync('events/manual-run.json', 'utf8')) as APIGatewayProxyEventV2;
const post = (body: string | undefined) => handler({ ...sample, body } as never, context) as Promise<APIGatewayProxyStructuredResultV2>;

describe('POST /runs handler', () => {
  it('starts a manual run on behalf of the named requester and answers with its summary', async () => {
    runFromTrigger.mockResolvedValueOnce({ runId: 'r-1', status: 'complete' });
    const response = await post(sample.body);
    expect(runFromTrigger).toHaveBeenCalledWith({ type: 'manual', by: 'analyst@example.com' }, {}, undefined);
    expect(response.statusCode).toBe(200);
    expect(JSON.parse(response.body as string)).toEqual({ runId: 'r-1', status: 'complete' });
  });

  it('treats an empty body as no options', async () => {
    runFromTrigger.mockResolvedValueOnce({ runId: 'r-2' });
    expect((await post(undefined)).statusCode).toBe(200);
    expect(runFromTrigger).toHaveBeenLastCalledWith({ type: 'manual', by: 'anonymous' }, {}, undefined);
  });

  it('answers 400 naming the problem for malformed JSON and for unknown fields, without running', async () => {
    runFromTrigger.mockClear();
    const malformed = await post('{"requestedBy":');
    expect(malformed.statusCode).toBe(400);
    expect(JSON.parse(malformed.body as string).problems).toEqual(['body: not valid JSON']);
    const unknown = await post('{"users":["u1"]}');
    expect(unknown.statusCode).toBe(400);
    expect(JSON.parse(unknown.body as string).problems.join()).toMatch(/users/);
    expect(runFromTrigger).not.toHaveBeenCalled();
  });

  it('answers a plain 500 that reveals nothing when the run itself fails', async () => {
    runFromTrigger.mockRejectedValueOnce(new Error('ECONNREFUSED 10.0.0.1 token=abc'));
    const response = await post('{}');
    expect(response.statusCode).toBe(500);
    expect(response.body).not.toMatch(/ECONNREFUSED|token/);
  });
});
