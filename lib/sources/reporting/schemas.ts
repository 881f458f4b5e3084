import { z } from 'zod';
import { decimalAmount } from '../answer-schema';
import { pagingSchema } from '../paging';

const text = z.string();
const optionalText = z.string().nullish();
const roles = z.array(z.string()).default([]);
const side = z.enum(['Buy', 'Sell']);

/** `assets-and-balances`: per-asset totals over users with roles Trader, User and Market Maker, and the asset's scale. */
export const assetRowSchema = z.object({
  assetId: text.min(1),
  assetName: optionalText,
  assetAmount: decimalAmount,
  assetAmountInRAT: decimalAmount.optional(),
  assetAmountScale: z.coerce.number().int().min(0).max(36),
  rootAsset: optionalText,
});

/** `users`: who the user is and which roles put them in the reporting totals. */
export const userRowSchema = z.object({
  userId: text.min(1),
  status: optionalText,
  hasTradingApiKey: z.boolean().nullish(),
  email: optionalText,
  username: optionalText,
  roles,
  createdAt: optionalText,
  totalBalanceInRAT: decimalAmount.optional(),
  totalCommissionInRAT: decimalAmount.optional(),
  lastSignInDate: optionalText,
});

/**
 * `users/balances`: one asset of the filtered user. The document's rows carry no user id; it names
 * `userId` only as the report's filter field, so a row that carries it is not drift.
 */
export const userBalanceRowSchema = z.object({
  userId: optionalText,
  assetId: text.min(1),
  assetName: optionalText,
  assetAmount: decimalAmount,
  lockedAssetAmount: decimalAmount,
  availableAssetAmount: decimalAmount,
  assetAmountInRAT: decimalAmount.optional(),
  lockedAssetAmountInRAT: decimalAmount.optional(),
  availableAssetAmountInRAT: decimalAmount.optional(),
  rateToRootAsset: decimalAmount.optional(),
});

/** `users/logins`: one sign-in. */
export const loginRowSchema = z.object({ userId: text.min(1), ip: optionalText, loginAt: text });

/**
 * `commissions`: a user's summary of commissions and PnL in the root asset. `userId` and `email`
 * are named only as its filter fields; its example rows carry neither.
 */
export const commissionSummaryRowSchema = z.object({
  userId: optionalText,
  email: optionalText,
  totalAmountInRAT: decimalAmount.optional(),
  totalCommissionInRAT: decimalAmount.optional(),
  totalTradedVolumeInRAT: decimalAmount.optional(),
  realizedPnlInRAT: decimalAmount.optional(),
});

/** `commissions/assets`: commissions and PnL per asset. */
export const commissionAssetRowSchema = z.object({
  assetId: text.min(1),
  assetName: optionalText,
  assetAmount: decimalAmount.optional(),
  totalAssetCommission: decimalAmount.optional(),
  assetAmountInRAT: decimalAmount.optional(),
  totalCommissionInRAT: decimalAmount.optional(),
  totalTradedVolumeInRAT: decimalAmount.optional(),
  realizedPnlInRAT: decimalAmount.optional(),
  unrealizedPnlInRAT: decimalAmount.optional(),
});

/** `commissions/users`: commissions and PnL per user (`feeGroupId` is named only as a filter field). */
export const commissionUserRowSchema = z.object({
  userId: text.min(1),
  email: optionalText,
  feeGroupId: optionalText,
  status: optionalText,
  totalAmountInRAT: decimalAmount.optional(),
  totalCommissionInRAT: decimalAmount.optional(),
  totalTradedVolumeInRAT: decimalAmount.optional(),
  realizedPnlInRAT: decimalAmount.optional(),
  unrealizedPnlInRAT: decimalAmount.optional(),
});

/** `orders`: an order's history; its `commissionAmount` totals its trades' (never add both). */
export const orderRowSchema = z.object({
  orderId: text.min(1),
  userId: text.min(1),
  userEmail: optionalText,
  marketId: text.min(1),
  side,
  orderType: text,
  baseAmount: decimalAmount,
  quoteAmount: decimalAmount,
  remainingAmount: decimalAmount.optional(),
  fillFactor: decimalAmount.optional(),
  avgExecutionPrice: decimalAmount.optional(),
  commissionAmount: decimalAmount.optional(),
  commissionAssetId: optionalText,
  commissionAssetName: optionalText,
  commissionInRAT: decimalAmount.optional(),
  orderStatus: text,
  createdAt: text,
  updatedAt: optionalText,
});

/**
 * `orders/opened`: a resting limit order; it reserves funds. The document's rows carry no user id
 * (it is named only as the report's filter field).
 */
export const openOrderRowSchema = z.object({
  orderId: text.min(1),
  userId: optionalText,
  marketId: text.min(1),
  side,
  orderType: text,
  baseAmount: decimalAmount,
  quoteAmount: decimalAmount,
  limitPrice: decimalAmount,
  filledAmount: decimalAmount,
  remainingAmount: decimalAmount,
  createdAt: text,
  updatedAt: optionalText,
});

/**
 * `orders/transactions`: one trade (fill) of one order, with its commission. `avgExecutionPrice`
 * is named only as a filter field of this report.
 */
export const tradeRowSchema = z.object({
  orderId: text.min(1),
  executionId: text.min(1),
  userId: text.min(1),
  userEmail: optionalText,
  userRoles: roles,
  marketId: text.min(1),
  side,
  orderType: text,
  baseAmount: decimalAmount,
  quoteAmount: decimalAmount,
  orderStatus: text,
  executedAt: text,
  createdAt: optionalText,
  commissionAmount: decimalAmount,
  commissionAssetId: text.min(1),
  commissionAssetName: optionalText,
  commissionInRAT: decimalAmount.optional(),
  avgExecutionPrice: decimalAmount.optional(),
});

/**
 * `transfers`: a deposit or withdrawal and its status. The document's field list says `username`,
 * `email`, `roles`; its example says `userEmail`, `userRoles`: both spellings are documented.
 */
export const transferRowSchema = z.object({
  userId: text.min(1),
  username: optionalText,
  email: optionalText,
  roles: z.array(z.string()).nullish(),
  userEmail: optionalText,
  userRoles: roles,
  id: text.min(1),
  assetId: text.min(1),
  assetName: optionalText,
  type: z.enum(['Deposit', 'Withdrawal']),
  status: z.enum(['AwaitingConfirmation', 'Pending', 'Completed', 'Failed', 'Cancelled']),
  assetAmount: decimalAmount,
  createdAt: text,
  rateToRootAsset: decimalAmount.optional(),
  assetAmountInRAT: decimalAmount.optional(),
  externalId: optionalText,
});

/** Every report's row schema, by endpoint: the types of the rows flow from here. */
const REPORT_ROWS = {
  'assets-and-balances': assetRowSchema,
  users: userRowSchema,
  'users/balances': userBalanceRowSchema,
  'users/logins': loginRowSchema,
  commissions: commissionSummaryRowSchema,
  'commissions/assets': commissionAssetRowSchema,
  'commissions/users': commissionUserRowSchema,
  orders: orderRowSchema,
  'orders/opened': openOrderRowSchema,
  'orders/transactions': tradeRowSchema,
  transfers: transferRowSchema,
} as const;

/** The eleven report endpoints under `/back-api/reporting/reports/data/`. */
export type ReportEndpoint = keyof typeof REPORT_ROWS;

/** The parsed row type of a report. */
export type ReportRow<E extends ReportEndpoint> = z.infer<(typeof REPORT_ROWS)[E]>;

/** One report as the client reads it: typed by its row, so an endpoint's rows need no cast. */
export interface Report<T> {
  /** The row schema: its fields are the ones drift is measured against. */
  row: z.ZodObject;
  /** `{ data: row[] }`, built once: zod compiles a schema on its first parse, so one built per page cost more than parsing the page. */
  rows: z.ZodType<{ data: T[] }>;
  /** What identifies a row, to notice a row served twice. */
  key: (row: T) => string;
}

function report<S extends z.ZodObject>(row: S, key: (row: z.infer<S>) => string): Report<z.infer<S>> {
  return { row, rows: z.object({ data: z.array(row) }), key };
}

/** Every report: its row schema, its page's rows schema and the key that identifies a row (to notice a row served twice). */
export const REPORTS: { readonly [E in ReportEndpoint]: Report<ReportRow<E>> } = {
  'assets-and-balances': report(assetRowSchema, (row) => row.assetId),
  users: report(userRowSchema, (row) => row.userId),
  'users/balances': report(userBalanceRowSchema, (row) => row.assetId),
  'users/logins': report(loginRowSchema, (row) => `${row.userId}@${row.loginAt}@${row.ip ?? ''}`),
  commissions: report(commissionSummaryRowSchema, (row) => JSON.stringify(row)),
  'commissions/assets': report(commissionAssetRowSchema, (row) => row.assetId),
  'commissions/users': report(commissionUserRowSchema, (row) => row.userId),
  orders: report(orderRowSchema, (row) => row.orderId),
  'orders/opened': report(openOrderRowSchema, (row) => row.orderId),
  // Both sides of a trade share its executionId: a trade row is an order's fill.
  'orders/transactions': report(tradeRowSchema, (row) => `${row.orderId}/${row.executionId}`),
  transfers: report(transferRowSchema, (row) => row.id),
};

/** A parsed `assets-and-balances` row. */
export type AssetRow = ReportRow<'assets-and-balances'>;
/** A parsed `users` row. */
export type UserRow = ReportRow<'users'>;
/** A parsed `users/balances` row. */
export type UserBalanceRow = ReportRow<'users/balances'>;
/**
 * The envelope every report answers with: `{filters, sort, paging, data}`; `data` rows are checked
 * one by one. `filters` and `sort` echo the request and are not read (opaque to drift).
 */
export const reportPageSchema = z.object({
  filters: z.unknown().optional(),
  sort: z.unknown().optional(),
  paging: pagingSchema,
  data: z.array(z.unknown()),
});
