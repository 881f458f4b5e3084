import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/**
 * A DynamoDB client without the SDK's logger middleware. Given no logger, the SDK still runs that
 * middleware on every call, and it copies each request and response through the operation's schema
 * (to mask sensitive fields) before handing them to a logger that drops them: for a transaction of
 * 50 findings, a walk over every attribute. Nothing here logs through the SDK.
 */
export function dynamoDbClient(config: DynamoDBClientConfig): DynamoDBClient {
  const client = new DynamoDBClient(config);
  client.middlewareStack.remove('loggerMiddleware');
  return client;
}

/** The dummy credentials a local emulator (DynamoDB Local, the SNS and Lambda stand-ins) is given; unused when deployed. */
export const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };

/**
 * The DynamoDB document client of a configuration (DynamoDB Local when `dynamoDbEndpoint` is set): here, apart from
 * the wiring, so a function that builds one adapter bundles that adapter alone.
 */
export function documentClient(config: { aws: { region: string; dynamoDbEndpoint?: string | undefined } }): DynamoDBDocumentClient {
  const dynamo = dynamoDbClient({
    region: config.aws.region,
    ...(config.aws.dynamoDbEndpoint && { endpoint: config.aws.dynamoDbEndpoint, credentials: LOCAL_CREDENTIALS }),
  });
  return DynamoDBDocumentClient.from(dynamo, { marshallOptions: { removeUndefinedValues: true } });
}
