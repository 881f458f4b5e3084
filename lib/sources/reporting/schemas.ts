import { z } from 'zod';
import { decimalAmount } from '../answer-schema';
import { pagingSchema } from '../paging';

/** A row of `assets-and-balances`: per-asset totals and the asset's display scale. */
export const assetRowSchema = z.object({
  assetId: z.string().min(1),
  assetName: z.string().optional(),
  assetAmount: decimalAmount,
  assetAmountInRAT: decimalAmount.optional(),
  assetAmountScale: z.coerce.number().int().min(0).max(36),
  rootAsset: z.string().optional(),
});
/** A parsed `assets-and-balances` row. */
export type AssetRow = z.infer<typeof assetRowSchema>;

/** A row of `users`: who the user is and which roles put them in the reporting totals. */
export const userRowSchema = z.object({
  userId: z.string().min(1),
  status: z.string().optional(),
  email: z.string().optional(),
  username: z.string().optional(),
  roles: z.array(z.string()).default([]),
  createdAt: z.string().optional(),
  totalBalanceInRAT: decimalAmount.optional(),
});
/** A parsed `users` row. */
export type UserRow = z.infer<typeof userRowSchema>;

/** A row of `users/balances` (one asset of the filtered user; the row itself carries no user id). */
export const userBalanceRowSchema = z.object({
  assetId: z.string().min(1),
  assetName: z.string().optional(),
  assetAmount: decimalAmount,
  lockedAssetAmount: decimalAmount,
  availableAssetAmount: decimalAmount,
  assetAmountInRAT: decimalAmount.optional(),
  lockedAssetAmountInRAT: decimalAmount.optional(),
  availableAssetAmountInRAT: decimalAmount.optional(),
  rateToRootAsset: decimalAmount.optional(),
});
/** A parsed `users/balances` row. */
export type UserBalanceRow = z.infer<typeof userBalanceRowSchema>;

/** The envelope every report answers with: `{filters, sort, paging, data}`. */
export function reportPageSchema<R extends z.ZodType>(row: R) {
  return z.object({ paging: pagingSchema, data: z.array(row) });
}
