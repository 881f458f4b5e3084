import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { containerLog } from '../../../lib/handlers/container';
import { observe } from '../../../lib/middleware/observe';

// Set by Lambda for an on-demand execution environment: Powertools reports a cold start only then.
vi.hoisted(() => {
  process.env.AWS_LAMBDA_INITIALIZATION_TYPE = 'on-demand';
});

const context = (requestId: string) =>
  ({
    awsRequestId: requestId,
    functionName: 'balance-recon-prod-runShard',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:balance-recon-prod-runShard',
    memoryLimitInMB: '1024',
    getRemainingTimeInMillis: () => 60_000,
  }) as unknown as Context;

afterEach(() => vi.restoreAllMocks());

describe('observe', () => {
  it('puts the request id and cold start on every line, and clears the run keys when the invocation ends', async () => {
    const lines: Record<string, unknown>[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      return true;
    });
    const handler = middy<{ runId?: string }>()
      .use(observe())
      .handler(async (event) => {
        if (event.runId) containerLog().appendKeys({ runId: event.runId, shard: 0 });
        containerLog().info('working');
      });
    await handler({ runId: 'r-1' }, context('req-1'));
    await handler({}, context('req-2'));
    expect(lines).toEqual([
      expect.objectContaining({ message: 'working', function_request_id: 'req-1', cold_start: true, runId: 'r-1', shard: 0 }),
      expect.objectContaining({ message: 'working', function_request_id: 'req-2', cold_start: false }),
    ]);
    expect(lines[1]).not.toHaveProperty('runId');
  });
});
