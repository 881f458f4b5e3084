import { CreateTableCommand, type CreateTableCommandInput, type DynamoDBClient, UpdateTimeToLiveCommand } from '@aws-sdk/client-dynamodb';
import tableDefinitions from '../../infra/tables.json';
import type { StoreTables } from '../../lib/store/dynamodb-discrepancy-store';

/** The table definitions of infra/tables.json, the same file serverless.yml deploys from. */
const definitions = tableDefinitions as unknown as Record<
  keyof StoreTables,
  Omit<CreateTableCommandInput, 'TableName'> & { TimeToLiveAttribute?: string }
>;

/** The table names of a stage, as serverless.yml names them. */
export function tableNames(stage: string, service = 'balance-recon'): Required<StoreTables> {
  return {
    discrepancies: `${service}-discrepancies-${stage}`,
    runs: `${service}-runs-${stage}`,
    history: `${service}-history-${stage}`,
    totals: `${service}-totals-${stage}`,
    outbox: `${service}-outbox-${stage}`,
  };
}

/** Creates the store's tables (with the deployed key schemas, indexes and TTL) under the given names. */
export async function createTables(client: DynamoDBClient, names: StoreTables): Promise<void> {
  for (const key of Object.keys(names) as (keyof StoreTables)[]) {
    const { TimeToLiveAttribute, ...definition } = definitions[key];
    const name = names[key];
    if (!name) continue;
    await client.send(new CreateTableCommand({ ...definition, TableName: name }));
    if (TimeToLiveAttribute) {
      await client.send(
        new UpdateTimeToLiveCommand({
          TableName: name,
          TimeToLiveSpecification: { AttributeName: TimeToLiveAttribute, Enabled: true },
        }),
      );
    }
  }
}
