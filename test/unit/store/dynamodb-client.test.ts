import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { dynamoDbClient } from '../../../lib/store/dynamodb-client';

const config = { region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' } };

describe('dynamoDbClient', () => {
  it('leaves out the SDK logger middleware and keeps the rest of the stack', () => {
    const stock = new DynamoDBClient(config).middlewareStack.identify();
    const ours = dynamoDbClient(config).middlewareStack.identify();
    expect(stock.some((entry) => entry.startsWith('loggerMiddleware'))).toBe(true);
    expect(ours.some((entry) => entry.startsWith('loggerMiddleware'))).toBe(false);
    expect(ours).toEqual(stock.filter((entry) => !entry.startsWith('loggerMiddleware')));
  });
});
