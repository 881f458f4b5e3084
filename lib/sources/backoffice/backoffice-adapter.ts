import { SourceError } from '../../ports/source-error';
import type { BackOfficePort } from '../../ports/upstream';
import type { BackOfficeClient } from './backoffice-client';

/**
 * Adapts the back-office client's answers to the shapes the reconciliation reads. A 404 of
 * `GET …/balance/` is the typed "not found" (the document does not say how the endpoint answers
 * an unknown user; a 404 is how it is read here), every other failure stays a `SourceError`.
 */
export function backOfficeAdapter(client: BackOfficeClient, batchSize: number): BackOfficePort {
  return {
    async balances(userIds) {
      const results = [];
      for (let start = 0; start < userIds.length; start += batchSize) {
        results.push(...(await client.balances(userIds.slice(start, start + batchSize))));
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

    async available(userId) {
      try {
        return { userId, found: true, available: await client.available(userId) };
      } catch (error) {
        if (error instanceof SourceError && error.failure === 'http-status' && error.status === 404)
          return { userId, found: false, message: `GET ${error.endpoint} answered HTTP 404` };
        throw error;
      }
    },
  };
}
