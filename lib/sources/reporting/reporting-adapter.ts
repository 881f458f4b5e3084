import { SourceError } from '../../ports/source-error';
import type { ReportingPort } from '../../ports/upstream';
import { dateRange, exact, type ReportFilter } from './filters';
import type { ReportingClient } from './reporting-client';

/** Order ids per `orders/transactions` query: keeps request bodies well under common 1 MB limits. */
const ORDER_IDS_PER_QUERY = 500;

/** Adapts the Reporting client's rows to the shapes the reconciliation reads. */
export function reportingAdapter(client: ReportingClient): ReportingPort {
  return {
    async assets() {
      const rows = await client.assets();
      return rows.map((row) => ({ assetId: row.assetId, scale: row.assetAmountScale, total: row.assetAmount }));
    },
    async usersPage(created, page, askedSize) {
      const { rows, total, pageSize } = await client.usersPage(created, page, askedSize);
      const users = rows.map(({ userId, roles, totalBalanceInRAT, createdAt }) => {
        // The listing is paged by creation instant: a row without one cannot be placed.
        if (!createdAt) throw new SourceError('reporting', 'users', 'schema', 'a row has no createdAt');
        return { userId, roles, totalInRoot: totalBalanceInRAT, createdAt };
      });
      return { users, total, pageSize };
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
    async transfers(userIds, query) {
      const filters: ReportFilter[] = [exact('UserId', userIds)];
      if (query?.from || query?.to) filters.push(dateRange('CreatedAt', query.from, query.to));
      if (query?.notStatus?.length) filters.push(exact('Status', [...query.notStatus], true));
      return client.readAll('transfers', { filters });
    },
    async finishedOrders(userIds, createdFrom) {
      const filters: ReportFilter[] = [exact('UserId', userIds)];
      if (createdFrom) filters.push(dateRange('CreatedAt', createdFrom));
      const rows = await client.readAll('orders', { filters });
      return rows.map((row) => ({ orderId: row.orderId, userId: row.userId }));
    },
    async tradesOfOrders(orderIds) {
      const rows = [];
      for (let start = 0; start < orderIds.length; start += ORDER_IDS_PER_QUERY) {
        const ids = orderIds.slice(start, start + ORDER_IDS_PER_QUERY);
        rows.push(...(await client.readAll('orders/transactions', { filters: [exact('OrderId', ids)] })));
      }
      return rows;
    },
  };
}
