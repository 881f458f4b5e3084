import type { ReportingPort } from '../../runs/ports';
import type { ReportingClient } from './reporting-client';

/** Adapts the Reporting client's rows to the shapes the reconciliation reads. */
export function reportingPort(client: ReportingClient): ReportingPort {
  return {
    async assets() {
      const rows = await client.assets();
      return rows.map((row) => ({ assetId: row.assetId, scale: row.assetAmountScale }));
    },
    async *users(notes) {
      for await (const page of client.users(notes)) yield page.map((row) => ({ userId: row.userId, roles: row.roles }));
    },
    async userBalances(userId) {
      const rows = await client.userBalances(userId);
      return rows.map((row) => ({
        asset: row.assetId,
        amount: row.assetAmount,
        locked: row.lockedAssetAmount,
        available: row.availableAssetAmount,
      }));
    },
  };
}
