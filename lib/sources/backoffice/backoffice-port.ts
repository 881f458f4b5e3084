import type { BackOfficePort } from '../../runs/ports';
import type { BackOfficeClient } from './backoffice-client';

/** Adapts the back-office client's answers to the shapes the reconciliation reads. */
export function backOfficePort(client: BackOfficeClient, batchSize: number): BackOfficePort {
  return {
    async balances(userIds, assets) {
      const results = [];
      for (let start = 0; start < userIds.length; start += batchSize) {
        results.push(...(await client.balances(userIds.slice(start, start + batchSize), assets)));
      }
      return results.map((result) =>
        result.found
          ? {
              userId: result.userId,
              found: true as const,
              balances: new Map(
                result.user.balances.map((row) => [
                  row.asset,
                  { amount: row.amount, locked: row.locked, fundsInRoot: row.fundsInRootAsset },
                ]),
              ),
              totalFundsInRoot: result.user.totalFundsInRootAsset,
            }
          : result,
      );
    },
  };
}
