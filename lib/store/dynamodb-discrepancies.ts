import { type DynamoDBDocumentClient, GetCommand, PutCommand, type QueryCommandInput, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { linkWrite } from '../domain/history-chain';
import type { DiscrepancyState, LifecycleEvent } from '../domain/lifecycle';
import { BadRequestError, ConcurrentUpdateError, StoreBusyError } from '../errors';
import type { IdentifiedAlert } from '../ports/alerts';
import type { CompliancePort, DiscrepancyFilter } from '../ports/compliance';
import type { DiscrepancyRepository, DiscrepancyWrite } from '../ports/store';
import { backoff, batchGetAll, cancellationReasons, queryAll, queryPages, TRANSIENT_REASONS } from './batch';
import { decodeCursor, discrepancyPut, encodeCursor, historyItem, parseDiscrepancy, SEVERITY_ORDER } from './discrepancy-items';
import { readHistory } from './dynamodb-history-reads';
import { type Fence, fenceCheck, throwIfLockLost } from './runs-table';

/** The tables the discrepancies live in (their items and their history rows), and the runs table that keeps the lock fencing a run's writes. */
export interface DiscrepancyTables {
  discrepancies: string;
  history: string;
  runs: string;
}

/** Where the writes that owe an alert record it: the transaction item of the owed alert (`DynamoDbAlertOutbox.put`). */
export interface OutboxRecorder {
  put(owed: IdentifiedAlert): { Put: { TableName: string; Item: Record<string, unknown> } };
}

/** Discrepancies per transaction: each is its item, at most one history row and one owed alert, with the run's lock check, within DynamoDB's 100 items. */
const WRITES_PER_TRANSACTION = 33;
/** The owner of a fenced transaction's first item, the check on the run lock. */
const FENCE = 'lock';
/** Calls of one transaction, the first included, while DynamoDB cancels it for now (about 1.5 s of pauses in all). */
const TRANSACTION_ATTEMPTS = 5;

/** What one transaction did: see `DynamoDbDiscrepancies.transact`. */
interface TransactOutcome {
  conflicts: string[];
  unwritten: DiscrepancyWrite[];
  busy: string[];
  error?: unknown;
}

/**
 * The discrepancies and their history in DynamoDB (docs/data-model.md): what a run reads and writes of them,
 * and what the compliance interface lists, reads and changes. Writes are conditional on the item's version
 * (optimistic lock), each with its history row and the alert it owes in one transaction; a run's writes
 * (`fencedBy`) also on its still holding the run lock. All money is stored as exact decimal strings.
 */
export class DynamoDbDiscrepancies implements DiscrepancyRepository, Omit<CompliancePort, 'getRun'> {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tables: DiscrepancyTables,
    private readonly historyRetentionDays = 2557,
    /** Where alerts owed are recorded: given to the run functions only (an analyst's action owes none). */
    private readonly outbox?: OutboxRecorder,
    private readonly fence?: Fence,
  ) {}

  /** The same discrepancies, each write fenced by `runId` holding the run lock. */
  fencedBy(runId: string, now: () => Date): DynamoDbDiscrepancies {
    const fence = { table: this.tables.runs, runId, now };
    return new DynamoDbDiscrepancies(this.client, this.tables, this.historyRetentionDays, this.outbox, fence);
  }

  /** Every open or acknowledged discrepancy. */
  async active(): Promise<Map<string, DiscrepancyState>> {
    const states = new Map<string, DiscrepancyState>();
    for (const status of ['open', 'acknowledged'] as const) {
      const items = await queryAll(
        this.client,
        {
          TableName: this.tables.discrepancies,
          IndexName: 'by-status',
          KeyConditionExpression: '#key = :key',
          ExpressionAttributeNames: { '#key': 'status' },
          ExpressionAttributeValues: { ':key': status },
        },
        parseDiscrepancy,
      );
      for (const item of items) states.set(item.id, item);
    }
    return states;
  }

  async get(id: string): Promise<DiscrepancyState | undefined> {
    const { Item } = await this.client.send(new GetCommand({ TableName: this.tables.discrepancies, Key: { id }, ConsistentRead: true }));
    return Item ? parseDiscrepancy(Item) : undefined;
  }

  /** Many at once; an id not stored is left out. */
  async getMany(ids: string[]): Promise<Map<string, DiscrepancyState>> {
    const items = await batchGetAll(
      this.client,
      this.tables.discrepancies,
      ids.map((id) => ({ id })),
      { consistentRead: true },
    );
    return new Map(items.map((item) => parseDiscrepancy(item)).map((state) => [state.id, state]));
  }

  /**
   * The new state with its history row, in one transaction (a run's resolution, an analyst's action).
   * @throws {ConcurrentUpdateError} when the stored version is not `expectedVersion`: nothing was written.
   * @throws {StoreBusyError} when DynamoDB kept refusing it for now: nothing was written, the same call may be made again.
   */
  async save(
    next: DiscrepancyState,
    event: LifecycleEvent | undefined,
    expectedVersion: number | undefined,
    alert?: IdentifiedAlert,
  ): Promise<void> {
    const [conflict] = await this.saveMany([{ next, event, expectedVersion, alert }]);
    if (conflict) throw new ConcurrentUpdateError(conflict);
  }

  /**
   * Many writes as few transactions (up to 33 discrepancies with their history row and owed alert each, within
   * DynamoDB's 100 items): a run's page of findings costs one call instead of two per discrepancy,
   * and an item is never stored without its history row nor a row without its item. A write whose
   * stored version is not the expected one (another writer won, or a discrepancy thought new exists)
   * is left out and its id returned; the rest of its transaction is sent again without it. A
   * transaction cancelled for throttling or a conflicting transaction is sent again after a pause,
   * up to {@link TRANSACTION_ATTEMPTS} calls; then {@link StoreBusyError}, with nothing of it written.
   */
  async saveMany(writes: DiscrepancyWrite[]): Promise<string[]> {
    const conflicts: string[] = [];
    for (let start = 0; start < writes.length; start += WRITES_PER_TRANSACTION) {
      let chunk = writes.slice(start, start + WRITES_PER_TRANSACTION);
      for (let refused = 0; chunk.length > 0; ) {
        const outcome = await this.transact(chunk);
        conflicts.push(...outcome.conflicts);
        chunk = outcome.unwritten;
        if (outcome.busy.length === 0) continue;
        if (++refused === TRANSACTION_ATTEMPTS) throw new StoreBusyError(ids(chunk), outcome.busy, { cause: outcome.error });
        await backoff(refused);
      }
    }
    return conflicts;
  }

  /**
   * One write of every discrepancy in `chunk` (with its history row and the alert it owes), all or none: the ids whose
   * condition failed, the writes still to make, and, when DynamoDB only said "not now", its reasons.
   */
  private async transact(chunk: DiscrepancyWrite[]): Promise<TransactOutcome> {
    const owners: string[] = this.fence ? [FENCE] : [];
    const writes = chunk.flatMap(({ next: state, event, expectedVersion, alert }) => {
      // Every row is chained here, in the transaction of its item's new head (a write linked by its caller already stays as it is).
      const { next, row } = linkWrite(state, event);
      const puts = [
        { Put: discrepancyPut(this.tables.discrepancies, next, expectedVersion) },
        ...(row ? [{ Put: { TableName: this.tables.history, Item: historyItem(row, this.historyRetentionDays) } }] : []),
        ...(alert ? [this.owedAlert(alert)] : []),
      ];
      for (const _ of puts) owners.push(next.id);
      return puts;
    });
    const items = this.fence ? [fenceCheck(this.fence), ...writes] : writes;
    try {
      // A lone unfenced item that owes no alert (a compliance write) needs no transaction: one write unit, not two.
      const [only] = writes;
      if (items.length === 1 && only) await this.client.send(new PutCommand(only.Put));
      else await this.client.send(new TransactWriteCommand({ TransactItems: items }));
      return { conflicts: [], unwritten: [], busy: [] };
    } catch (error) {
      return this.refused(chunk, owners, error);
    }
  }

  /** What a refused transaction leaves to do: see {@link transact}. Rethrows what a second call would not change. */
  private refused(chunk: DiscrepancyWrite[], owners: string[], error: unknown): TransactOutcome {
    const reasons = cancellationReasons(error);
    if (!reasons) throw error;
    // The run's lock check failed: not a conflict of any discrepancy, the run lost its lock.
    throwIfLockLost(this.fence, error);
    const conflicts = [...new Set(reasons.flatMap((code, i) => (code === 'ConditionalCheckFailed' ? [owners[i] ?? ''] : [])))];
    const busy = [...new Set(reasons.filter((code) => TRANSIENT_REASONS.has(code)))];
    // Refused for a reason a second call would not change (a malformed or oversized item): the caller's error.
    if (reasons.some((code) => !['None', 'ConditionalCheckFailed', ...TRANSIENT_REASONS].includes(code))) throw error;
    if (conflicts.length === 0 && busy.length === 0) throw error;
    return { conflicts, unwritten: chunk.filter(({ next }) => !conflicts.includes(next.id)), busy, error };
  }

  /** The outbox row of an alert a write owes; a store wired without an outbox (the compliance functions) cannot owe one. */
  private owedAlert(alert: IdentifiedAlert) {
    if (!this.outbox) throw new RangeError(`alert ${alert.alertId} is owed, but this store has no outbox`);
    return this.outbox.put(alert);
  }

  /**
   * A discrepancy's history in the order it was written: its opening (kept on the item; with its place and hash
   * in the chain when the item is chained), then the rows of every later change.
   */
  history(discrepancy: DiscrepancyState): Promise<LifecycleEvent[]> {
    return readHistory(this.client, this.tables.history, discrepancy);
  }

  /** A page of the discrepancies `filter` selects, by the index that serves it best; `cursor` is where the last page ended. */
  async list(filter: DiscrepancyFilter, page: { limit: number; cursor?: string }): Promise<{ items: DiscrepancyState[]; cursor?: string }> {
    const items: DiscrepancyState[] = [];
    let next: Record<string, unknown> | undefined;
    const { index, ...query } = listQuery(filter);
    const pages = queryPages(this.client, {
      TableName: this.tables.discrepancies,
      IndexName: index,
      ...query,
      Limit: page.limit,
      ExclusiveStartKey: page.cursor ? decodeCursor(page.cursor) : undefined,
    });
    try {
      for await (const answer of pages) {
        items.push(...(answer.Items ?? []).map(parseDiscrepancy));
        next = answer.LastEvaluatedKey;
        if (items.length >= page.limit) break;
      }
    } catch (error) {
      // A cursor that decodes but names no real position: still the caller's mistake.
      if (page.cursor && error instanceof Error && error.name === 'ValidationException')
        throw new BadRequestError(['query.cursor: not a cursor from a previous page']);
      throw error;
    }
    return { items: items.slice(0, page.limit), ...(next ? { cursor: encodeCursor(next) } : {}) };
  }
}

/** The query of a list: the index of the most selective key filtered on, the status (and severity) as its sort key's prefix, the rest as a filter. */
function listQuery(filter: DiscrepancyFilter): { index: string } & Omit<QueryCommandInput, 'TableName'> {
  const [index, name, value]: [string, string, string] = filter.userId
    ? ['by-user', 'userId', filter.userId]
    : filter.asset
      ? ['by-asset', 'asset', filter.asset]
      : filter.check
        ? ['by-check', 'check', filter.check]
        : ['by-status', 'status', filter.status ?? 'open'];
  const conditions: string[] = [];
  const values: Record<string, unknown> = { ':key': value };
  const names: Record<string, string> = { '#key': name };
  let keyCondition = '#key = :key';
  if (filter.status) {
    keyCondition += ' AND begins_with(statusOrder, :prefix)';
    values[':prefix'] = filter.severity ? `${filter.status}#${SEVERITY_ORDER[filter.severity]}#` : `${filter.status}#`;
  }
  for (const field of ['check', 'asset', 'userId'] as const) {
    const wanted = filter[field];
    if (wanted === undefined || field === name) continue;
    conditions.push(`#${field} = :${field}`);
    names[`#${field}`] = field;
    values[`:${field}`] = wanted;
  }
  if (filter.severity && !filter.status) {
    conditions.push('#severity = :severity');
    names['#severity'] = 'severity';
    values[':severity'] = filter.severity;
  }
  return {
    index,
    KeyConditionExpression: keyCondition,
    ...(conditions.length > 0 ? { FilterExpression: conditions.join(' AND ') } : {}),
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: values,
  };
}

/** The discrepancy ids of some writes. */
function ids(writes: readonly DiscrepancyWrite[]): string[] {
  return writes.map(({ next }) => next.id);
}
