import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  type TransactWriteCommandInput,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { type DiscrepancyState, type DiscrepancyStatus, type LifecycleEvent, openedEvent } from '../domain/lifecycle';
import type { Severity } from '../domain/severity';
import { BadRequestError, ConcurrentUpdateError, LockLostError, StoreBusyError } from '../errors';
import type { IdentifiedAlert } from '../ports/alerts';
import type { CompliancePort } from '../ports/compliance';
import type { RunSummary } from '../ports/run-summary';
import type { DiscrepancyStore, DiscrepancyWrite, RunStart, StoredSourceState } from '../ports/store';
import type { SourceName } from '../ports/upstream';
import { backoff, batchGetAll, refusedForNow, TRANSIENT_REASONS } from './batch';

/** Table names of the store. */
export interface StoreTables {
  discrepancies: string;
  runs: string;
  history: string;
  /** Running history totals, one item per page of the user listing (`lib/history`). */
  totals: string;
  /** The alerts owed until published (`lib/store/dynamodb-outbox.ts`): named where the tables are created; only the run functions are given it. */
  outbox?: string;
}

/** Where the writes that owe an alert record it: the transaction item of the owed alert (`DynamoDbAlertOutbox.put`). */
export interface OutboxRecorder {
  put(owed: IdentifiedAlert): { Put: { TableName: string; Item: Record<string, unknown> } };
}

const SEVERITY_ORDER: Record<Severity, string> = { critical: '0', high: '1', medium: '2', low: '3' };
const LOCK_ID = 'lock#runs';
const SOURCES: SourceName[] = ['backoffice', 'reporting', 'multimarkets', 'indx'];
/** Discrepancies per transaction: each is its item, at most one history row and one owed alert, with the run's lock check, within DynamoDB's 100 items. */
const WRITES_PER_TRANSACTION = 33;
/** The owner of a fenced transaction's first item, the check on the run lock. */
const FENCE = 'lock';
/** Calls of one transaction, the first included, while DynamoDB cancels it for now (about 1.5 s of pauses in all). */
const TRANSACTION_ATTEMPTS = 5;

/** What one transaction did: see `DynamoDbDiscrepancyStore.transact`. */
/** Whose lock a run's writes are fenced by, and the run's clock (`DynamoDbDiscrepancyStore.fencedBy`). */
interface Fence {
  runId: string;
  now: () => Date;
}

interface TransactOutcome {
  conflicts: string[];
  unwritten: DiscrepancyWrite[];
  busy: string[];
  error?: unknown;
}

/**
 * `status#severity#lastSeenAt`: the sort key of every index, so each lists a status's items most
 * severe first, then most recent.
 */
export function statusOrder(state: Pick<DiscrepancyState, 'status' | 'severity' | 'lastSeenAt'>): string {
  return `${state.status}#${SEVERITY_ORDER[state.severity]}#${state.lastSeenAt}`;
}

/**
 * Keeps discrepancies, their history and the runs in DynamoDB (docs/data-model.md). Writes are
 * conditional: a discrepancy on its version (optimistic lock), a run on its id (a run delivered
 * twice is noticed), the run lock on its expiry; a run's own writes (`fencedBy`) also on its still
 * holding the run lock. All money is stored as exact decimal strings.
 */
export class DynamoDbDiscrepancyStore implements DiscrepancyStore, CompliancePort {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tables: StoreTables,
    private readonly historyRetentionDays = 2557,
    /** Where alerts owed are recorded: given to the run functions only (an analyst's action owes none). */
    private readonly outbox?: OutboxRecorder,
    private readonly fence?: Fence,
  ) {}

  fencedBy(runId: string, now: () => Date): DynamoDbDiscrepancyStore {
    return new DynamoDbDiscrepancyStore(this.client, this.tables, this.historyRetentionDays, this.outbox, { runId, now });
  }

  async queueRun(run: RunStart & { scope?: unknown; dryRun?: boolean }): Promise<void> {
    await this.client.send(
      new PutCommand({
        TableName: this.tables.runs,
        Item: { ...run, status: 'queued' },
        ConditionExpression: 'attribute_not_exists(runId)',
      }),
    );
  }

  async progress(runId: string, progress: { users: number; positions: number; discrepancies: number }): Promise<void> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tables.runs,
          Key: { runId },
          UpdateExpression: 'SET progress = :progress',
          ConditionExpression: '#status = :running',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':progress': progress, ':running': 'running' },
        }),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }

  async beginRun(run: RunStart): Promise<{ started: true } | { started: false; previous: RunSummary | undefined }> {
    try {
      // A run queued by `POST /runs` starts here too; any other existing record is a second delivery.
      await this.client.send(
        new PutCommand({
          TableName: this.tables.runs,
          Item: { ...run, status: 'running', startedAtMs: Date.parse(run.startedAt) },
          // A run left `running` longer than a Lambda can live crashed, one stored `failed` or `skipped` did not
          // finish: a new delivery takes it over (and resumes from its stored plan and checkpoints).
          ConditionExpression:
            'attribute_not_exists(runId) OR #status IN (:queued, :failed, :skipped) OR (#status = :running AND startedAtMs < :stale)',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':queued': 'queued',
            ':failed': 'failed',
            ':skipped': 'skipped',
            ':running': 'running',
            ':stale': Date.parse(run.startedAt) - 16 * 60_000,
          },
        }),
      );
      return { started: true };
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      const previous = await this.getRun(run.runId);
      return { started: false, previous: previous && !['running', 'queued'].includes(previous.status as string) ? previous : undefined };
    }
  }

  async acquireLock(holder: string, ttlMs: number, now: Date): Promise<boolean> {
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tables.runs,
          Item: { runId: LOCK_ID, holder, expiresAt: now.getTime() + ttlMs },
          ConditionExpression: 'attribute_not_exists(runId) OR expiresAt < :now OR holder = :holder',
          ExpressionAttributeValues: { ':now': now.getTime(), ':holder': holder },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  async renewLock(holder: string, ttlMs: number, now: Date): Promise<boolean> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tables.runs,
          Key: { runId: LOCK_ID },
          UpdateExpression: 'SET expiresAt = :until',
          ConditionExpression: 'holder = :holder',
          ExpressionAttributeValues: { ':until': now.getTime() + ttlMs, ':holder': holder },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  async lockHolder(): Promise<string | undefined> {
    const { Item } = await this.client.send(new GetCommand({ TableName: this.tables.runs, Key: { runId: LOCK_ID }, ConsistentRead: true }));
    return typeof Item?.holder === 'string' ? Item.holder : undefined;
  }

  async releaseLock(holder: string): Promise<void> {
    try {
      await this.client.send(
        new DeleteCommand({
          TableName: this.tables.runs,
          Key: { runId: LOCK_ID },
          ConditionExpression: 'holder = :holder',
          ExpressionAttributeValues: { ':holder': holder },
        }),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }

  async active(): Promise<Map<string, DiscrepancyState>> {
    const states = new Map<string, DiscrepancyState>();
    for (const status of ['open', 'acknowledged'] as const) {
      for await (const item of this.query('by-status', 'status', status)) states.set(item.id, item);
    }
    return states;
  }

  async get(id: string): Promise<DiscrepancyState | undefined> {
    const { Item } = await this.client.send(new GetCommand({ TableName: this.tables.discrepancies, Key: { id }, ConsistentRead: true }));
    return Item ? withoutIndexKeys(Item) : undefined;
  }

  async getMany(ids: string[]): Promise<Map<string, DiscrepancyState>> {
    const items = await batchGetAll(
      this.client,
      this.tables.discrepancies,
      ids.map((id) => ({ id })),
      { consistentRead: true },
    );
    return new Map(items.map((item) => [item.id as string, withoutIndexKeys(item)]));
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
    const fence = this.fenceCheck();
    const owners: string[] = fence ? [FENCE] : [];
    const writes = chunk.flatMap(({ next, event, expectedVersion, alert }) => {
      const puts: NonNullable<TransactWriteCommandInput['TransactItems']> = [
        { Put: this.discrepancyPut(next, expectedVersion) },
        ...(event && !recordedOnItem(next, event) ? [{ Put: { TableName: this.tables.history, Item: this.historyItem(event) } }] : []),
        ...(alert ? [this.owedAlert(alert)] : []),
      ];
      for (const _ of puts) owners.push(next.id);
      return puts;
    });
    const items = fence ? [fence, ...writes] : writes;
    try {
      // A lone unfenced item that owes no alert (a compliance write) needs no transaction: one write unit, not two.
      const [only] = items;
      if (items.length === 1 && only?.Put) await this.client.send(new PutCommand(only.Put));
      else await this.client.send(new TransactWriteCommand({ TransactItems: items }));
      return { conflicts: [], unwritten: [], busy: [] };
    } catch (error) {
      const reasons = cancellationReasons(error);
      if (!reasons) throw error;
      // The run's lock check failed: not a conflict of any discrepancy, the run lost its lock.
      if (this.fence && reasons[0] === 'ConditionalCheckFailed') throw new LockLostError(this.fence.runId, { cause: error });
      const conflicts = [...new Set(reasons.flatMap((code, i) => (code === 'ConditionalCheckFailed' ? [owners[i] as string] : [])))];
      const busy = [...new Set(reasons.filter((code) => TRANSIENT_REASONS.has(code)))];
      // Refused for a reason a second call would not change (a malformed or oversized item): the caller's error.
      if (reasons.some((code) => !['None', 'ConditionalCheckFailed', ...TRANSIENT_REASONS].includes(code))) throw error;
      if (conflicts.length === 0 && busy.length === 0) throw error;
      return { conflicts, unwritten: chunk.filter(({ next }) => !conflicts.includes(next.id)), busy, error };
    }
  }

  /** With a fence, the transaction item that checks the run still holds the run lock, unexpired. */
  private fenceCheck(): NonNullable<TransactWriteCommandInput['TransactItems']>[number] | undefined {
    if (!this.fence) return undefined;
    return {
      ConditionCheck: {
        TableName: this.tables.runs,
        Key: { runId: LOCK_ID },
        ConditionExpression: 'holder = :holder AND expiresAt >= :now',
        ExpressionAttributeValues: { ':holder': this.fence.runId, ':now': this.fence.now().getTime() },
      },
    };
  }

  /** A discrepancy's write, on condition that its stored version is `expectedVersion` (that it is new when undefined). */
  private discrepancyPut(next: DiscrepancyState, expectedVersion: number | undefined) {
    return {
      TableName: this.tables.discrepancies,
      Item: { ...next, statusOrder: statusOrder(next) },
      ConditionExpression: expectedVersion === undefined ? 'attribute_not_exists(id)' : 'version = :version',
      ...(expectedVersion === undefined ? {} : { ExpressionAttributeValues: { ':version': expectedVersion } }),
    };
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

  /** A discrepancy's history in the order it was written: its opening (kept on the item), then the rows of every later change. */
  async history(discrepancy: DiscrepancyState): Promise<LifecycleEvent[]> {
    const id = discrepancy.id;
    const opened = openedEvent(discrepancy);
    const events: LifecycleEvent[] = opened ? [opened] : [];
    let ExclusiveStartKey: Record<string, unknown> | undefined;
    do {
      const page = await this.client.send(
        new QueryCommand({
          TableName: this.tables.history,
          KeyConditionExpression: 'discrepancyId = :id',
          ExpressionAttributeValues: { ':id': id },
          ExclusiveStartKey,
        }),
      );
      for (const item of page.Items ?? []) {
        const { eventKey: _key, expiresAt: _expiry, ...event } = item;
        events.push(event as LifecycleEvent);
      }
      ExclusiveStartKey = page.LastEvaluatedKey;
    } while (ExclusiveStartKey);
    return events;
  }

  async list(
    filter: { status?: DiscrepancyStatus; severity?: Severity; check?: string; asset?: string; userId?: string },
    page: { limit: number; cursor?: string },
  ): Promise<{ items: DiscrepancyState[]; cursor?: string }> {
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
    const items: DiscrepancyState[] = [];
    let ExclusiveStartKey = page.cursor ? decodeCursor(page.cursor) : undefined;
    do {
      const answer = await this.client
        .send(
          new QueryCommand({
            TableName: this.tables.discrepancies,
            IndexName: index,
            KeyConditionExpression: keyCondition,
            ...(conditions.length > 0 ? { FilterExpression: conditions.join(' AND ') } : {}),
            ExpressionAttributeNames: names,
            ExpressionAttributeValues: values,
            Limit: page.limit,
            ExclusiveStartKey,
          }),
        )
        .catch((error: unknown) => {
          // A cursor that decodes but names no real position: still the caller's mistake.
          if (page.cursor && error instanceof Error && error.name === 'ValidationException')
            throw new BadRequestError(['query.cursor: not a cursor from a previous page']);
          throw error;
        });
      items.push(...(answer.Items ?? []).map(withoutIndexKeys));
      ExclusiveStartKey = answer.LastEvaluatedKey;
    } while (ExclusiveStartKey && items.length < page.limit);
    return {
      items: items.slice(0, page.limit),
      ...(ExclusiveStartKey ? { cursor: Buffer.from(JSON.stringify(ExclusiveStartKey)).toString('base64url') } : {}),
    };
  }

  async getRun(runId: string): Promise<RunSummary | undefined> {
    const { Item } = await this.client.send(new GetCommand({ TableName: this.tables.runs, Key: { runId }, ConsistentRead: true }));
    return Item as RunSummary | undefined;
  }

  async sourceStates(): Promise<Partial<Record<SourceName, StoredSourceState>>> {
    const states: Partial<Record<SourceName, StoredSourceState>> = {};
    for (const source of SOURCES) {
      const { Item } = await this.client.send(
        new GetCommand({ TableName: this.tables.runs, Key: { runId: `source#${source}` }, ConsistentRead: true }),
      );
      if (Item)
        states[source] = {
          status: Item.status,
          drift: Item.drift ?? [],
          since: Item.since,
          // A record stored before endpoints were kept has none: it reads as every endpoint failing (`failingEndpointsOf`).
          ...(Item.failingEndpoints && { failingEndpoints: Item.failingEndpoints }),
        };
    }
    return states;
  }

  /** A source's health; with the alert its change owes, both in one transaction (with the run's lock check, when fenced). */
  async saveSourceState(source: SourceName, state: StoredSourceState, alert?: IdentifiedAlert): Promise<void> {
    const put = { TableName: this.tables.runs, Item: { runId: `source#${source}`, ...state } };
    const fence = this.fenceCheck();
    if (!fence && !alert) {
      await this.client.send(new PutCommand(put));
      return;
    }
    const items = [...(fence ? [fence] : []), { Put: put }, ...(alert ? [this.owedAlert(alert)] : [])];
    try {
      await this.client.send(new TransactWriteCommand({ TransactItems: items }));
    } catch (error) {
      if (this.fence && cancellationReasons(error)?.[0] === 'ConditionalCheckFailed')
        throw new LockLostError(this.fence.runId, { cause: error });
      throw error;
    }
  }

  /** The outbox row of an alert a write owes; a store wired without an outbox (the compliance functions) cannot owe one. */
  private owedAlert(alert: IdentifiedAlert) {
    if (!this.outbox) throw new RangeError(`alert ${alert.alertId} is owed, but this store has no outbox`);
    return this.outbox.put(alert);
  }

  async saveRun(summary: RunSummary): Promise<void> {
    await this.client.send(new PutCommand({ TableName: this.tables.runs, Item: summary }));
  }

  /**
   * A history row, keyed `at#type#runId-or-person`: `at` is when the change was written (a run's
   * clock at its write, an analyst's at their action), so a discrepancy's rows sort in the order
   * they were written. Rows written before runs kept that time carry their run's start instead.
   */
  private historyItem(event: LifecycleEvent): Record<string, unknown> {
    const expiresAt = Math.floor(Date.parse(event.at) / 1000) + this.historyRetentionDays * 86_400;
    return { ...event, eventKey: `${event.at}#${event.type}#${event.runId ?? event.by ?? ''}`, expiresAt };
  }

  private async *query(index: string, name: string, value: string): AsyncGenerator<DiscrepancyState> {
    let ExclusiveStartKey: Record<string, unknown> | undefined;
    do {
      const page = await this.client.send(
        new QueryCommand({
          TableName: this.tables.discrepancies,
          IndexName: index,
          KeyConditionExpression: '#key = :key',
          ExpressionAttributeNames: { '#key': name },
          ExpressionAttributeValues: { ':key': value },
          ExclusiveStartKey,
        }),
      );
      for (const item of page.Items ?? []) yield withoutIndexKeys(item);
      ExclusiveStartKey = page.LastEvaluatedKey;
    } while (ExclusiveStartKey);
  }
}

/**
 * DynamoDB's reason for each item of a refused write, in the order of its items; undefined for any
 * other error. A lone conditional put refused is its one item's `ConditionalCheckFailed`, one refused
 * for throttling its error's name.
 */
function cancellationReasons(error: unknown): string[] | undefined {
  if (error instanceof TransactionCanceledException) return (error.CancellationReasons ?? []).map((reason) => reason.Code ?? 'None');
  if (error instanceof ConditionalCheckFailedException) return ['ConditionalCheckFailed'];
  if (refusedForNow(error)) return [(error as Error).name];
  return undefined;
}

/** The discrepancy ids of some writes. */
function ids(writes: readonly DiscrepancyWrite[]): string[] {
  return writes.map(({ next }) => next.id);
}

/** An "opened" event the item itself records (`openedDifference`): no history row is written for it. */
function recordedOnItem(state: DiscrepancyState, event: LifecycleEvent): boolean {
  return event.type === 'opened' && state.openedDifference !== undefined;
}

/** A stored item as the domain knows it: without the attributes that exist only for the indexes. */
function withoutIndexKeys(item: Record<string, unknown>): DiscrepancyState {
  const { statusOrder: _order, ...state } = item;
  return state as unknown as DiscrepancyState;
}

/** A page cursor back into DynamoDB's start key; anything that is not one is the caller's mistake. */
function decodeCursor(cursor: string): Record<string, unknown> {
  try {
    const key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (key && typeof key === 'object' && !Array.isArray(key) && typeof (key as { id?: unknown }).id === 'string')
      return key as Record<string, unknown>;
  } catch {
    // falls through to the error below
  }
  throw new BadRequestError(['query.cursor: not a cursor from a previous page']);
}
