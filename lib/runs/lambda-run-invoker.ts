import { InvokeCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import type { RunWork, ShardInvoker } from '../ports/run';
import type { QueuedRun, RunInvoker } from '../ports/run-queue';

/** Starts the direct-run function asynchronously (`InvocationType: Event`): Lambda retries it, and the run id makes a retry harmless. */
export class LambdaRunInvoker implements RunInvoker {
  constructor(
    private readonly client: LambdaClient,
    private readonly functionName: string,
  ) {}

  async invoke(run: QueuedRun): Promise<void> {
    const payload = {
      runId: run.runId,
      ...(run.trigger.type === 'manual' && run.trigger.by && { manualBy: run.trigger.by }),
      ...(run.asOf && { asOf: run.asOf }),
      ...(run.dryRun && { dryRun: true }),
      ...(run.rebuild && { rebuild: true }),
      ...(run.scope && { scope: run.scope }),
    };
    await this.client.send(
      new InvokeCommand({ FunctionName: this.functionName, InvocationType: 'Event', Payload: Buffer.from(JSON.stringify(payload)) }),
    );
  }
}

/** Starts one shard of a fanned-out run, or a handed-over run's final phase, on the shard worker function, asynchronously. */
export class LambdaShardInvoker implements ShardInvoker {
  constructor(
    private readonly client: LambdaClient,
    private readonly functionName: string,
  ) {}

  async invoke(work: RunWork): Promise<void> {
    await this.client.send(
      new InvokeCommand({ FunctionName: this.functionName, InvocationType: 'Event', Payload: Buffer.from(JSON.stringify(work)) }),
    );
  }
}
