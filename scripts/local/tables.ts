import { CreateTableCommand, type CreateTableCommandInput, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import tableDefinitions from '../../infra/tables.json';
import type { StoreTables } from '../../lib/store/dynamodb-discrepancy-store';

/** The key schemas of infra/tables.json, the same file serverless.yml deploys from. */
const definitions = tableDefinitions as Record<keyof StoreTables, Omit<CreateTableCommandInput, 'TableName'>>;

/** The table names of a stage, as serverless.yml names them. */
export function tableNames(stage: string, service = 'balance-recon'): StoreTables {
  return { discrepancies: `${service}-discrepancies-${stage}`, runs: `${service}-runs-${stage}` };
}

/** Creates the store's tables (with the deployed key schemas) under the given names. */
export async function createTables(client: DynamoDBClient, names: StoreTables): Promise<void> {
  for (const key of Object.keys(names) as (keyof StoreTables)[]) {
    await client.send(new CreateTableCommand({ ...definitions[key], TableName: names[key] }));
  }
}
