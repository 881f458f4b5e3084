import { AsyncLocalStorage } from 'node:async_hooks';
import { randomBytes } from 'node:crypto';
import { ProvisionedThroughputExceededException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { SNSClient } from '@aws-sdk/client-sns';
import { DynamoDBDocumentClient, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { SnsAlertPublisher } from '../../lib/alerts/sns-alert-publisher';
import { runSettings } from '../../lib/config';
import { AlertNotPublishedError } from '../../lib/errors';
import type { AlertOutbox, AlertPublisher } from '../../lib/ports/alerts';
import type { RunDeps, ShardInvoker } from '../../lib/ports/run';
import { Secret } from '../../lib/secret';
import { backOfficeAdapter } from '../../lib/sources/backoffice/backoffice-adapter';
import { BackOfficeClient } from '../../lib/sources/backoffice/backoffice-client';
import { JsonClient } from '../../lib/sources/http/json-client';
import { reportingAdapter } from '../../lib/sources/reporting/reporting-adapter';
import { ReportingClient } from '../../lib/sources/reporting/reporting-client';
import { DynamoDbDiscrepancyStore, type StoreTables } from '../../lib/store/dynamodb-discrepancy-store';
import { DynamoDbHistoryStore } from '../../lib/store/dynamodb-history-store';
import { DynamoDbAlertOutbox } from '../../lib/store/dynamodb-outbox';
import { DynamoDbRunState } from '../../lib/store/dynamodb-run-state';
import { SANDBOX_BACKOFFICE_TOKEN, SANDBOX_REPORTING_TOKEN } from '../../sandbox/credentials';
import { type RunningSandbox, startSandbox } from '../../sandbox/server';
import { localDynamoDbClient } from '../local/dynamodb-local';
import { createTables, tableNames } from '../local/tables';
import type { Fault } from './schedule';

/** The services one simulation shares between its seeds: one DynamoDB Local, one SNS emulator. */
export interface SharedServices {
  dynamoDbEndpoint: string;
  sns: {
    address: string;
    createTopic(name: string): { topicArn: string };
    createQueue(name: string): unknown;
    subscribe(s: { topic: string; queue: string }): unknown;
    inspectQueue(name: string): { messages: { ready: unknown[] } } | undefined;
  };
}

/** An error the simulation injected: a killed Lambda, SNS refusing or timing out. */
export class InjectedFault extends Error {
  override readonly name = 'InjectedFault';
}

/** What the current invocation is, and whether a fault was injected into it (AsyncLocalStorage: concurrent copies do not mix). */
export interface InvocationContext {
  invocation: number;
  injected: number;
}
export const invocationContext = new AsyncLocalStorage<InvocationContext>();

/** Notes that a fault fired in the current invocation. */
function fired(counter: Map<string, number>, kind: string): void {
  counter.set(kind, (counter.get(kind) ?? 0) + 1);
  const context = invocationContext.getStore();
  if (context) context.injected++;
}

/** An alert as the SNS emulator delivered it: its event type, discrepancy id (or subject, for run-level alerts) and alert id. */
export interface Delivered {
  eventType: string;
  discrepancyId: string;
  alertId: string;
}

/**
 * Notes that the alert `alertId` may have gone out without the product knowing: by its id, and (for a
 * discrepancy's alert, `<id>#<event>#<version>`) by `discrepancyId:eventType` as the invariants count.
 */
function outcomeUnknown(unknownOutcome: Set<string>, alertId: string): void {
  unknownOutcome.add(alertId);
  const match = /^(.*)#(opened|escalated|resolved)#\d+$/.exec(alertId);
  if (match) unknownOutcome.add(`${match[1]}:discrepancy-${match[2]}`);
}

/** The simulated time: moved on by the driver only, so nothing depends on the wall clock. */
export class SimClock {
  constructor(private time: number) {}
  now = (): Date => new Date(this.time);
  advance(ms: number): void {
    this.time += ms;
  }
}

/** A seed's world: sandbox, tables, publisher and the real adapters, with the schedule's faults wired into them. */
export interface World {
  sandbox: RunningSandbox;
  tables: StoreTables;
  documents: DynamoDBDocumentClient;
  store: DynamoDbDiscrepancyStore;
  deps: RunDeps & { ports: { runState: DynamoDbRunState; invoker: ShardInvoker } };
  clock: SimClock;
  delivered(): Delivered[];
  /** Alert keys (`discrepancyId:eventType`) whose publish was accepted and then timed out. */
  unknownOutcome: Set<string>;
  /** Faults that fired, by kind. */
  fired: Map<string, number>;
  /** Ends every injected fault (sandbox rules, throttling, SNS): what follows runs on a healthy world. */
  heal(): void;
  close(): Promise<void>;
}

/** The document client, refusing calls as DynamoDB does when throttled, from the counts the faults give. */
function throttled(documents: DynamoDBDocumentClient, faults: readonly Fault[], state: { healed: boolean }, counter: Map<string, number>) {
  let calls = 0;
  const refuse = (command: unknown): Error => {
    if (!(command instanceof TransactWriteCommand))
      return new ProvisionedThroughputExceededException({
        message: 'The level of configured provisioned throughput for the table was exceeded',
        $metadata: {},
      });
    const items = command.input.TransactItems ?? [];
    return new TransactionCanceledException({
      message: 'Transaction cancelled, please refer cancellation reasons for specific reasons',
      $metadata: {},
      CancellationReasons: items.map((_, i) =>
        i === 0
          ? { Code: 'ThrottlingError', Message: 'Throughput exceeds the current capacity of your table or index.' }
          : { Code: 'None' },
      ),
    });
  };
  return new Proxy(documents, {
    get(target, property, receiver) {
      if (property !== 'send') return Reflect.get(target, property, receiver);
      return async (command: Parameters<DynamoDBDocumentClient['send']>[0]) => {
        const call = calls++;
        const hit = faults.some((f) => f.kind === 'ddb-throttle' && call >= f.call && call < f.call + f.times);
        if (hit && !state.healed) {
          fired(counter, 'ddb-throttle');
          throw refuse(command);
        }
        return target.send(command);
      };
    },
  });
}

/** The real SNS publisher, down (SNS refuses) or timing out after accepting (no answer), as the faults say. */
function faultyAlerts(
  real: AlertPublisher,
  faults: readonly Fault[],
  state: { healed: boolean },
  counter: Map<string, number>,
  unknownOutcome: Set<string>,
): AlertPublisher {
  let publishes = 0;
  return new Proxy(real, {
    get(target, property, receiver) {
      const method = Reflect.get(target, property, receiver);
      if (typeof method !== 'function' || typeof property !== 'string') return method;
      return async (...args: unknown[]) => {
        const publish = publishes++;
        const alertId = String(args.at(-1));
        const on = !state.healed;
        if (on && faults.some((f) => f.kind === 'sns-down' && publish >= f.publish && publish < f.publish + f.times)) {
          fired(counter, 'sns-down');
          throw new AlertNotPublishedError(alertId, 'rejected', { cause: new InjectedFault('SNS is down') });
        }
        await method.apply(target, args);
        if (on && faults.some((f) => f.kind === 'sns-timeout' && f.publish === publish)) {
          fired(counter, 'sns-timeout');
          outcomeUnknown(unknownOutcome, alertId);
          throw new AlertNotPublishedError(alertId, 'unknown', { cause: new InjectedFault('SNS timed out after accepting the message') });
        }
      };
    },
  });
}

/**
 * The outbox, with the Lambda cut off in its final phase as the faults say: right after an alert was
 * published and before its row is cleared (the kill point that leaves an alert's outcome unknown).
 */
function faultyOutbox<T extends AlertOutbox>(
  real: T,
  faults: readonly Fault[],
  state: { healed: boolean },
  counter: Map<string, number>,
  unknownOutcome: Set<string>,
): T {
  const cuts = new Set<Fault>();
  return new Proxy(real, {
    get(target, property, receiver) {
      const method = Reflect.get(target, property, receiver);
      if (property !== 'cleared' || typeof method !== 'function') return method;
      return async (alertId: string) => {
        const context = invocationContext.getStore();
        const cut = faults.find((f) => f.kind === 'cut-final' && !cuts.has(f) && (context?.invocation ?? -1) >= f.invocation);
        if (!state.healed && cut) {
          cuts.add(cut);
          fired(counter, 'cut-final');
          outcomeUnknown(unknownOutcome, alertId);
          throw new InjectedFault('the Lambda was cut off between publishing an alert and clearing it');
        }
        try {
          return await method.call(target, alertId);
        } catch (error) {
          // Published, then not cleared (DynamoDB refused it): published again once its claim runs out, with the same id.
          outcomeUnknown(unknownOutcome, alertId);
          throw error;
        }
      };
    },
  });
}

/** Fresh, uniquely named tables in the shared DynamoDB Local. */
async function freshTables(endpoint: string) {
  const client = localDynamoDbClient(endpoint);
  const suffix = randomBytes(4).toString('hex');
  const tables: StoreTables = tableNames(suffix, 'chaos');
  await createTables(client, tables);
  return { tables, documents: DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } }) };
}

/** A topic on the shared SNS emulator with a queue subscribed, and a reader of what it delivered. */
function alertsTopic(shared: SharedServices) {
  const name = `chaos-alerts-${randomBytes(4).toString('hex')}`;
  const { topicArn } = shared.sns.createTopic(name);
  shared.sns.createQueue(`${name}-queue`);
  shared.sns.subscribe({ topic: name, queue: `${name}-queue` });
  const sns = new SNSClient({
    endpoint: shared.sns.address,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const delivered = (): Delivered[] =>
    (shared.sns.inspectQueue(`${name}-queue`)?.messages.ready ?? []).map((entry) => {
      const envelope = JSON.parse((entry as { body: string }).body) as {
        Subject?: string;
        MessageAttributes?: Record<string, { Value: string }>;
      };
      const attributes = envelope.MessageAttributes ?? {};
      return {
        eventType: attributes.eventType?.Value ?? '',
        discrepancyId: attributes.discrepancyId?.Value ?? envelope.Subject ?? '',
        alertId: attributes.alertId?.Value ?? '',
      };
    });
  return { sns, topicArn, delivered };
}

/**
 * Builds a seed's world: the sandbox book of `users` users (seeded), fresh tables, the real SNS
 * publisher on the emulator and the product's real adapters, with `faults` wired in (an empty list: the fault-free run).
 */
export async function buildWorld(
  shared: SharedServices,
  seed: number,
  users: number,
  faults: readonly Fault[],
  invoker: ShardInvoker,
): Promise<World> {
  const sandbox = await startSandbox({ port: 0, users, seed });
  sandbox.server.sandboxFaults.set(faults.flatMap((f) => ('rule' in f ? [f.rule] : [])));
  const state = { healed: false };
  const counter = new Map<string, number>();
  const unknownOutcome = new Set<string>();
  const { tables, documents } = await freshTables(shared.dynamoDbEndpoint);
  const client = throttled(documents, faults, state, counter);
  const topic = alertsTopic(shared);
  // One connection: requests reach the sandbox in the order they are made, so count-keyed rules hit the same ones.
  // A timeout far above a loaded machine's slowest answer: only a held (`hang`) request may time out.
  const http = (source: 'reporting' | 'backoffice') =>
    new JsonClient({ source, baseUrl: sandbox.url, concurrency: 1, timeoutMs: 2_000, retries: 2, sleep: async () => undefined });
  const http1 = { reporting: http('reporting'), backoffice: http('backoffice') };
  const clock = new SimClock(new Date(sandbox.book.asOf).getTime() + 86_400_000);
  const outbox = faultyOutbox(new DynamoDbAlertOutbox(client, tables.outbox as string), faults, state, counter, unknownOutcome);
  const store = new DynamoDbDiscrepancyStore(client, tables, undefined, outbox);
  const runState = new DynamoDbRunState(client, tables.runs);
  const deps: World['deps'] = {
    ports: {
      reporting: reportingAdapter(new ReportingClient(http1.reporting, new Secret(SANDBOX_REPORTING_TOKEN), 100)),
      backOffice: backOfficeAdapter(new BackOfficeClient(http1.backoffice, new Secret(SANDBOX_BACKOFFICE_TOKEN), 100), 100),
      discrepancies: store,
      runs: store,
      sourceStates: store,
      outbox,
      alerts: faultyAlerts(new SnsAlertPublisher(topic.sns, topic.topicArn), faults, state, counter, unknownOutcome),
      clock,
      history: new DynamoDbHistoryStore(client, tables.totals),
      runState,
      invoker,
    },
    settings: runSettings({
      userBatchSize: 15,
      checkpointEveryMs: 0,
      stormThreshold: 10_000,
      shards: { usersPerShard: 15, concurrency: 2 },
    }),
    hooks: {},
  };
  return {
    sandbox,
    tables,
    documents,
    store: new DynamoDbDiscrepancyStore(documents, tables),
    deps,
    clock,
    delivered: topic.delivered,
    unknownOutcome,
    fired: counter,
    heal() {
      state.healed = true;
      sandbox.server.sandboxFaults.clear();
    },
    close: () => sandbox.close(),
  };
}
