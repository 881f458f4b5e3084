import { z } from 'zod';
import { decimalAmount } from '../answer-schema';
import { pagingSchema } from '../paging';

/** One asset of a user in `POST /balances`: total `amount` and the `locked` part. */
export const backOfficeBalanceSchema = z.object({
  asset: z.string().min(1),
  amount: decimalAmount,
  locked: decimalAmount,
  fundsInRootAsset: decimalAmount.optional(),
});

/** A user the back office knows, with a balance per asset. */
export const backOfficeUserSchema = z.object({
  userId: z.string().min(1),
  userName: z.string().optional(),
  userEmail: z.string().optional(),
  userRoles: z.array(z.string()).optional(),
  balances: z.array(backOfficeBalanceSchema),
  totalFundsInRootAsset: decimalAmount.optional(),
  rootAsset: z.string().optional(),
});

/** The entry the back office returns for an id it does not know: `User with id:… not found.` */
export const backOfficeMissingUserSchema = z.object({ userId: z.string().min(1), error: z.string() });

/**
 * The `POST /back-api/backoffice/balances` answer: `{filters, paging, data}`. `filters` echoes the
 * request (`userIds` in the document's example) and is not read (opaque to drift).
 */
export const backOfficeBalancesPageSchema = z.object({
  filters: z.unknown().optional(),
  paging: pagingSchema,
  data: z.array(z.union([backOfficeMissingUserSchema, backOfficeUserSchema])),
});

/** `GET /back-api/backoffice/user/{userId}/balance/`: the **available** amount per asset, sent as JSON numbers. */
export const backOfficeAvailableSchema = z.array(z.object({ asset: z.string().min(1), balance: decimalAmount }));

/** A parsed back-office user entry. */
export type BackOfficeUser = z.infer<typeof backOfficeUserSchema>;
