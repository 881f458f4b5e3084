import type { OpenOrderRecord } from '../domain/checks/locked-orders';
import type { TradeRecord, TransferRecord } from '../domain/ledger';
import type { Amount } from '../domain/money';
/** An asset as Reporting lists it: id, display scale and its total over the counted users. */
export interface AssetInfo {
  assetId: string;
  scale: number;
  total: Amount;
}

/** A user as Reporting lists it. */
export interface UserInfo {
  userId: string;
  roles: string[];
  /** `totalBalanceInRAT`: the user's balance in the root asset. */
  totalInRoot?: Amount;
}

/** A user as the Reporting listing serves them: with the instant they were created, the listing's key. */
export interface ListedUser extends UserInfo {
  createdAt: string;
}

/** Which users a listing request asks for: those created in `[from, to]` (ISO instants, inclusive; either end open). */
export interface CreatedRange {
  from?: string;
  to?: string;
}

/** One asset balance of a user as Reporting splits it, with its root-asset figures. */
export interface ReportingBalance {
  asset: string;
  amount: Amount;
  locked: Amount;
  available: Amount;
  rate?: Amount;
  amountInRoot?: Amount;
  lockedInRoot?: Amount;
  availableInRoot?: Amount;
}

/** Which transfers of a batch of users to read: created from/to (ISO, inclusive), without the statuses `notStatus`. */
export interface TransferQuery {
  from?: string;
  to?: string;
  notStatus?: readonly string[];
}

/** The Reporting API as the reconciliation needs it. */
export interface ReportingPort {
  assets(): Promise<AssetInfo[]>;
  /**
   * One page (1-based) of the users created in `created` (a `DateRange` on `CreatedAt`), in creation
   * order, that query's total, and the page size the server answered: it decides (every example of the
   * document answers 15), `askedSize` is only asked.
   */
  usersPage(created: CreatedRange, page: number, askedSize: number): Promise<{ users: ListedUser[]; total: number; pageSize: number }>;
  userBalances(userId: string): Promise<ReportingBalance[]>;
  /** A user's resting orders (`orders/opened`). */
  openOrders(userId: string): Promise<OpenOrderRecord[]>;
  /**
   * The transfers of a batch of users (`transfers`), optionally only those created in a time range (ISO,
   * inclusive) and only those whose status is none of `notStatus` (an `Exact` filter with `exclude`).
   */
  transfers(userIds: string[], query?: TransferQuery): Promise<TransferRecord[]>;
  /**
   * A batch of users' finished orders (`orders`), each by id and owner, optionally only those created
   * from a time on (the owner lets one query serve several batches, each handed its own users' orders).
   */
  finishedOrders(userIds: string[], createdFrom?: string): Promise<{ orderId: string; userId: string }[]>;
  /** The trades (fills) of the given orders (`orders/transactions` filtered by `OrderId`). */
  tradesOfOrders(orderIds: string[]): Promise<TradeRecord[]>;
}

/** One asset of a user in the back office. */
export interface BackOfficeBalance {
  amount: Amount;
  locked: Amount;
  fundsInRoot?: Amount;
}

/** What the back office says of one user: balances by asset, or not found. */
export type BackOfficeUserBalances =
  | { userId: string; found: true; balances: Map<string, BackOfficeBalance>; totalFundsInRoot?: Amount }
  | { userId: string; found: false; message: string };

/**
 * What the back office's `GET …/user/{userId}/balance/` says of one user: the funds available to
 * them per asset, or (a 404) that it does not know them.
 */
export type BackOfficeAvailable =
  | { userId: string; found: true; available: Map<string, Amount> }
  | { userId: string; found: false; message: string };

/** The Back office API as the reconciliation needs it. */
export interface BackOfficePort {
  /**
   * `POST /balances` for a batch of users, every asset (no asset filter: the back office states
   * `totalFundsInRootAsset` only when none was applied).
   */
  balances(userIds: string[]): Promise<BackOfficeUserBalances[]>;
  /** `GET …/user/{userId}/balance/`: one user's available funds per asset. */
  available(userId: string): Promise<BackOfficeAvailable>;
}

/** The four upstream systems, by the name used in summaries, alerts and logs. */
export type SourceName = 'backoffice' | 'reporting' | 'multimarkets' | 'indx';

/** An endpoint that answered: its source and the endpoint's short name (as in errors, `users/balances`). */
export interface AnsweredEndpoint {
  source: SourceName;
  endpoint: string;
}

/** Unknown fields seen in one endpoint's answers. */
export interface DriftReport {
  source: SourceName;
  endpoint: string;
  fields: string[];
  rows: number;
}
