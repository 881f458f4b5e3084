import type { SandboxIndxTraderCredentials } from './credentials';
/** An asset of the exchange: amounts are bigint units at `scale` decimals; the rate to usd is a decimal string. */
export interface Asset {
  id: string;
  name: string;
  scale: number;
  rateToRootAsset: string;
}

/** A market `{base}_{quote}`; `referencePrice` (quote per base) is what generated trades are priced around. */
export interface Market {
  id: string;
  base: string;
  quote: string;
  referencePrice: string;
}

/** User roles as the Reporting API spells them. */
export type UserRole = 'Trader' | 'User' | 'Market Maker' | 'Bot' | 'Admin';
/** User account statuses as the Reporting API spells them. */
export type UserStatus = 'Active' | 'Frozen' | 'Terminated';

/** A generated exchange user (timestamps are ISO strings with six fractional digits). */
export interface BookUser {
  userId: string;
  username: string;
  email: string;
  roles: UserRole[];
  status: UserStatus;
  createdAt: string;
  lastSignInDate: string;
  hasTradingApiKey: boolean;
  feeGroupId: string;
}

/** One user session (`users/logins`). */
export interface BookLogin {
  userId: string;
  ip: string;
  loginAt: string;
}

/** Transfer direction. */
export type TransferType = 'Deposit' | 'Withdrawal';
/** Transfer status; only `Completed` moves `amount`, `Pending`/`AwaitingConfirmation` withdrawals lock funds. */
export type TransferStatus = 'AwaitingConfirmation' | 'Pending' | 'Completed' | 'Failed' | 'Cancelled';

/** A deposit or withdrawal (`transfers`); `amount` in units of the asset's scale. */
export interface BookTransfer {
  id: string;
  userId: string;
  assetId: string;
  type: TransferType;
  status: TransferStatus;
  amount: bigint;
  createdAt: string;
  externalId: string;
}

/** Order side. */
export type OrderSide = 'Buy' | 'Sell';
/** Order type. */
export type OrderType = 'Market' | 'Limit' | 'MarketFOK';
/** Status of a finished order (the sandbox generates only these two of the documented four). */
export type OrderStatus = 'Completed' | 'Cancelled';

/**
 * One fill (`orders/transactions`). Buy: +baseAmount base, −quoteAmount quote; Sell: the reverse.
 * `commissionAmount` is in `commissionAssetId` (always the asset received) and is subtracted from it.
 */
export interface BookTrade {
  executionId: string;
  orderId: string;
  userId: string;
  marketId: string;
  side: OrderSide;
  orderType: OrderType;
  baseAmount: bigint;
  quoteAmount: bigint;
  price: string;
  commissionAmount: bigint;
  commissionAssetId: string;
  orderStatus: OrderStatus;
  createdAt: string;
  executedAt: string;
}

/** A finished order (`orders`): groups 1–3 trades; amounts and commission are the sums of its trades'. */
export interface BookOrder {
  orderId: string;
  userId: string;
  marketId: string;
  side: OrderSide;
  orderType: OrderType;
  baseAmount: bigint;
  quoteAmount: bigint;
  remainingAmount: bigint;
  avgExecutionPrice: string;
  commissionAmount: bigint;
  commissionAssetId: string;
  orderStatus: OrderStatus;
  createdAt: string;
  updatedAt: string;
  executionIds: string[];
}

/**
 * A resting limit order (`orders/opened`), never filled. It reserves `reservedAmount` of `reservedAssetId`:
 * Sell → remainingAmount of base; Buy → remainingAmount × limitPrice of quote (exact at the quote scale).
 */
export interface BookOpenOrder {
  orderId: string;
  userId: string;
  marketId: string;
  side: OrderSide;
  orderType: 'Limit';
  baseAmount: bigint;
  quoteAmount: bigint;
  limitPrice: string;
  filledAmount: bigint;
  remainingAmount: bigint;
  reservedAssetId: string;
  reservedAmount: bigint;
  createdAt: string;
  updatedAt: string;
}

/** amount = locked + available, in units of the asset's scale. */
export interface Amounts {
  amount: bigint;
  locked: bigint;
  available: bigint;
}

/** The Reporting API's view of a position; `*InRAT` are units at 8 decimals (value × rate, half-up). */
export interface ReportingAmounts {
  assetAmount: bigint;
  lockedAssetAmount: bigint;
  availableAssetAmount: bigint;
  assetAmountInRAT: bigint;
  lockedAssetAmountInRAT: bigint;
  availableAssetAmountInRAT: bigint;
  rateToRootAsset: string;
}

/**
 * One user × asset: the truth implied by the history (rows up to `asOf`) and the two upstream views of it (equal
 * unless planted or in flight). `inReporting` / `inBackOffice` are false only where a presence plant hides it.
 */
export interface Position {
  userId: string;
  asset: string;
  scale: number;
  truth: Amounts;
  backOffice: Amounts;
  reporting: ReportingAmounts;
  inReporting: boolean;
  inBackOffice: boolean;
}

/** A MultiMarkets account mirroring one position; `amount` is units at `amountDigits` (truth amount truncated). */
export interface MultiMarketsAccount {
  thirdServerCode: string;
  userName: string;
  currency: string;
  amountDigits: number;
  amount: bigint;
  userId: string;
  asset: string;
}

/** An INDX portfolio instrument mirroring one position; `notes` is units at `scale` (the asset's scale). */
export interface IndxInstrument {
  id: number;
  name: string;
  asset: string;
  notes: bigint;
  scale: number;
  price: string;
  type: string;
  kind: number;
  by: number;
}

/**
 * An INDX trader account: `wmz` (cents) mirrors the user's usd amount, instruments mirror other assets.
 * `credentials`: the trader's own API login and password (null: the sandbox's shared ones).
 */
export interface IndxAccount {
  wmid: string;
  nickname: string;
  userId: string;
  wmz: bigint;
  portfolio: IndxInstrument[];
  credentials: SandboxIndxTraderCredentials | null;
}

/** Which venue account mirrors which user × asset (`accountKey` = MultiMarkets userName or INDX WMID). */
export type VenueMapping =
  | {
      venue: 'multimarkets';
      accountKey: string;
      userId: string;
      asset: string;
      thirdServerCode: string;
      userName: string;
      currency: string;
      amountDigits: number;
    }
  | {
      venue: 'indx';
      accountKey: string;
      userId: string;
      asset: string;
      wmid: string;
      instrument: string;
      instrumentId: number | null;
      /** Where the trader's own login and password come from (environment variables), absent for the shared ones. */
      login?: { env: string };
      password?: { env: string };
      /** The culture the trader signs with. */
      culture: 'ru-RU' | 'en-EN';
    };

/** Check kinds a planted discrepancy targets (the product's check ids). */
export type PlantedCheck =
  | 'amount-split'
  | 'cross-source'
  | 'roll-forward'
  | 'locked-orders'
  | 'venue-multimarkets'
  | 'venue-indx'
  | 'root-asset'
  | 'asset-totals'
  | 'presence'
  | 'sanity';

/** One deliberately planted discrepancy; decimal strings are exact, difference = actual − expected. */
export interface PlantedDiscrepancy {
  check: PlantedCheck;
  userId: string;
  asset: string;
  field: string;
  expected: string;
  actual: string;
  difference: string;
  description: string;
}

/**
 * A roll-forward difference the rows inside the grace window (15 minutes before `asOf`) fully explain: the product
 * must classify it `in-flight`, not record it. `explainedBy` = transfer `id` / trade `executionId` of those rows;
 * difference = Reporting assetAmount − history total (the rows not yet reflected, negated).
 */
export interface InFlightEntry {
  check: 'roll-forward';
  userId: string;
  asset: string;
  explainedBy: string[];
  difference: string;
}

/** A situation the product must judge consistent (nothing recorded): rows after `asOf`, a cancelled order with fills. */
export interface EdgeCase {
  check: PlantedCheck;
  kind: 'after-as-of' | 'cancelled-with-fills';
  userId: string;
  asset: string;
  /** transfer `id` (after-as-of) or trade `executionId`s (cancelled-with-fills) */
  rowIds: string[];
  description: string;
}

/** Per asset, the holdings outside the Reporting totals: how many users hold it, and Σ their amounts (exact decimal). */
export type OutsideTotals = Record<string, { users: number; amount: string }>;

/** What a reconciliation run over this book must find. */
export interface Manifest {
  seed: number;
  users: number;
  asOf: string;
  planted: PlantedDiscrepancy[];
  /** not discrepancies: the non-zero holdings of Bot/Admin-only users, which the Reporting totals leave out */
  outsideTotals: OutsideTotals;
  inFlight: InFlightEntry[];
  edgeCases: EdgeCase[];
}

/**
 * Figures a plant sets apart from what the views imply (all empty unless planted): deltas added to a served aggregate,
 * and the users the back office does not know although Reporting lists them.
 */
export interface BookOverrides {
  /** added to Reporting `assets-and-balances` assetAmount, per asset (units at the asset's scale) */
  assetTotals: Map<string, bigint>;
  /** added to Reporting `users.totalBalanceInRAT`, per user (units at 8 decimals) */
  totalBalanceInRAT: Map<string, bigint>;
  /** added to back-office `totalFundsInRootAsset`, per user (units at 8 decimals) */
  totalFundsInRootAsset: Map<string, bigint>;
  /** users the back office answers `User with id:… not found.` for */
  unknownToBackOffice: Set<string>;
}

/** Lookup tables so that every query is by key, never a scan. */
export interface BookIndex {
  usersById: Map<string, BookUser>;
  positionsByUser: Map<string, Position[]>;
  positionByKey: Map<string, Position>;
  multiMarketsByUserName: Map<string, MultiMarketsAccount>;
  indxByWmid: Map<string, IndxAccount>;
}

/** Monotonic id counters shared by all users of one book, so ids are unique strings (new rows continue them). */
export interface IdCounters {
  transfer: number;
  order: number;
  execution: number;
}

/**
 * A deterministic generated exchange book: history, truth, upstream views, venue accounts and the manifest.
 * History arrays (`transfers`, `orders`, `trades`) only ever grow at their end after generation (`addActivity`);
 * anything else that changes in place (views, asOf, manifest) bumps `revision`, so caches built over the book know.
 */
export interface Book {
  seed: number;
  asOf: string;
  /** 0 when generated, +1 per `addActivity` */
  revision: number;
  /** the id counters new rows continue */
  ids: IdCounters;
  rootAsset: string;
  assets: Asset[];
  markets: Market[];
  users: BookUser[];
  logins: BookLogin[];
  transfers: BookTransfer[];
  orders: BookOrder[];
  trades: BookTrade[];
  openOrders: BookOpenOrder[];
  positions: Position[];
  /** the positions Reporting `users/balances` lists (all but those a presence plant hides from it) */
  reportingPositions: Position[];
  overrides: BookOverrides;
  multiMarketsAccounts: MultiMarketsAccount[];
  indxAccounts: IndxAccount[];
  venueMappings: VenueMapping[];
  manifest: Manifest;
  index: BookIndex;
}

/** Key of a user × asset in `BookIndex.positionByKey`. */
export function positionKey(userId: string, asset: string): string {
  return `${userId}|${asset}`;
}
