import { LambdaClient } from '@aws-sdk/client-lambda';
import type { RunQueueConfig } from './config';
import { ConfigError } from './errors';
import type { Logger } from './log';
import type { RunInvoker, RunQueue } from './ports/run-queue';
import { LambdaRunInvoker } from './runs/lambda-run-invoker';
import { LOCAL_CREDENTIALS, type StoreWiring, storeAdapters, wireStore } from './store-wiring';

/** What `POST /runs` needs: the store-only wiring, and where it queues a run and which worker it hands it to. */
export interface RunQueueWiring extends StoreWiring {
  runQueue: { queue: RunQueue; invoker: RunInvoker };
}

/** The Lambda client that starts runs and shards (the local invoke API when `LAMBDA_ENDPOINT` is set). */
export function lambdaClient(config: Pick<RunQueueConfig, 'aws'>): LambdaClient {
  return new LambdaClient({
    region: config.aws.region,
    ...(config.aws.lambdaEndpoint && { endpoint: config.aws.lambdaEndpoint, credentials: LOCAL_CREDENTIALS }),
  });
}

/**
 * The wiring of `POST /runs`: the store and the run invoker, nothing upstream. The run itself
 * happens in the run function, which alone holds the upstream credentials.
 */
export function wireRunQueue(config: RunQueueConfig, log?: Logger): RunQueueWiring {
  const adapters = storeAdapters(config);
  const invoker: RunInvoker = config.runFunctionName
    ? new LambdaRunInvoker(lambdaClient(config), config.runFunctionName)
    : { invoke: () => Promise.reject(new ConfigError(['RUN_FUNCTION_NAME is required to start runs over HTTP'])) };
  return { ...wireStore(config, adapters, log), runQueue: { queue: adapters.store, invoker } };
}
