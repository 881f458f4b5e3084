import type { ReportingPort } from '../../runs/ports';
import { exact } from './filters';
import type { ReportingClient } from './reporting-client';

/** Adapts the Reporting client's rows to the shapes the reconciliation reads. */
export function reportingPort(client: ReportingClient): ReportingPort {
  return {
    async assets() {
      const rows = await client.assets();
      return rows.map((row) => ({ assetId: row.assetId, scale: row.assetAmountScale, total: row.assetAmount }));
    },
    async *users(notes) {
      for await (const page of client.users(notes)) {
        yield page.map((row) => ({ userId: row.userId, roles: row.roles, totalInRoot: row.totalBalanceInRAT }));
      }
    },
    async userBalances(userId) {
      const rows = await client.userBalances(userId);
      return rows.map((row) => ({
        asset: row.assetId,
        amount: row.assetAmount,
        locked: row.lockedAssetAmount,
        available: row.availableAssetAmount,
        rate: row.rateToRootAsset,
        amountInRoot: row.assetAmountInRAT,
        lockedInRoot: row.lockedAssetAmountInRAT,
        availableInRoot: row.availableAssetAmountInRAT,
      }));
    },
    async openOrders(userId) {
      return client.readAll('orders/opened', { filters: [exact('UserId', [userId])] });
    },
    async transfers(userIds) {
      return client.readAll('transfers', { filters: [exact('UserId', userIds)] });
    },
    async trades(commissionAssetIds, onPage) {
      for (const assetId of commissionAssetIds) {
        for await (const page of client.stream('orders/transactions', { filters: [exact('CommissionAssetId', [assetId])] })) onPage(page);
      }
    },
  };
}
