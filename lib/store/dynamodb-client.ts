import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';

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
