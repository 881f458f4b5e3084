import { SNSClient } from '@aws-sdk/client-sns';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { SnsAlertPublisher } from './alerts/sns-alert-publisher';
import type { Config } from './config';
import { LambdaShardInvoker } from './lambda/lambda-run-invoker';
import { createLogger, type Logger, SERVICE_NAME } from './log';
import { PowertoolsRunMetrics } from './metrics/powertools-run-metrics';
import { venueBudgets } from './policy/venue-schedule';
import type { RunMetrics } from './ports/metrics';
import type { RunDeps } from './ports/run';
import type { QueuedRunLookup } from './ports/run-queue';
import type { VenuePorts } from './ports/venues';
import { lambdaClient } from './run-queue-wiring';
import { backOfficeAdapter } from './sources/backoffice/backoffice-adapter';
import { BackOfficeClient } from './sources/backoffice/backoffice-client';
import { DriftLog } from './sources/drift';
import { EndpointLog } from './sources/endpoint-log';
import { JsonClient } from './sources/http/json-client';
import { IndxClient, indxHttp } from './sources/indx/indx-client';
import { MultiMarketsClient, multiMarketsHttp } from './sources/multimarkets/multimarkets-client';
import { CallDeadline } from './sources/pacing/call-deadline';
import { RetryBudget } from './sources/pacing/retry-budget';
import { UpstreamPressure } from './sources/pacing/upstream-pressure';
import { reportingAdapter } from './sources/reporting/reporting-adapter';
import { ReportingClient } from './sources/reporting/reporting-client';
import { DynamoDbHistoryStore } from './store/dynamodb-history-store';
import { DynamoDbAlertOutbox } from './store/dynamodb-outbox';
import { DynamoDbRunState } from './store/dynamodb-run-state';
import { DynamoDbVenueCheckLog } from './store/dynamodb-venue-log';
import { storeAdapters } from './store-adapters';
import { LOCAL_CREDENTIALS } from './store-wiring';
import { indxVenuePort } from './venues/indx-credentials';
import { loadVenueAccounts } from './venues/venue-accounts';

/** Everything a run function needs, built once per container. */
export interface Wiring {
  deps: RunDeps;
  /** The runs `POST /runs` queued: a direct invoke is recorded as manual only for one of them. */
  queuedRuns: QueuedRunLookup;
  log: Logger;
  /** Where runs report their end and each invocation its upstream pressure (EMF). */
  metrics: RunMetrics;
  /** The 429s, 418s and retries the upstream clients met, drained at the end of each invocation. */
  pressure: UpstreamPressure;
}

/**
 * The wiring of the run functions (the only ones given upstream credentials): HTTP clients per
 * upstream, the DynamoDB store and the SNS publisher, from the validated configuration. The
 * compliance handlers and `POST /runs` are wired without any of the upstream clients
 * (`store-wiring.ts`, `run-queue-wiring.ts`).
 */
export function wire(config: Config, log: Logger = createLogger(config.logLevel)): Wiring {
  const { timeoutMs, retries, concurrency } = config.http;
  const retryBudget = new RetryBudget(config.http.retryBudget);
  const pressure = new UpstreamPressure();
  const metrics = new PowertoolsRunMetrics({ serviceName: SERVICE_NAME, stage: config.stage });
  const drift = new DriftLog();
  const callDeadline = new CallDeadline();
  const endpoints = new EndpointLog();
  const http = { concurrency, timeoutMs, retries, retryBudget, pressure, deadline: callDeadline, answered: endpoints };
  const reportingHttp = new JsonClient({ source: 'reporting', baseUrl: config.reporting.url, ...http });
  const backOfficeHttp = new JsonClient({ source: 'backoffice', baseUrl: config.backOffice.url, ...http });
  // Stateless: the store's writes and the drain use one adapter each on the same client and table.
  const outboxOn = (client: DynamoDBDocumentClient) => new DynamoDbAlertOutbox(client, config.outboxTable);
  const { documents, discrepancies, runs, sourceStates } = storeAdapters(config, outboxOn);
  const outbox = outboxOn(documents);
  const sns = new SNSClient({
    region: config.aws.region,
    ...(config.aws.snsEndpoint && { endpoint: config.aws.snsEndpoint, credentials: LOCAL_CREDENTIALS }),
  });
  const venues = config.venueAccountsFile ? wireVenues(config, http, drift) : undefined;
  const deps: RunDeps = {
    ports: {
      reporting: reportingAdapter(new ReportingClient(reportingHttp, config.reporting.token, config.pageSize, drift)),
      backOffice: backOfficeAdapter(new BackOfficeClient(backOfficeHttp, config.backOffice.token, config.pageSize, drift), config.pageSize),
      discrepancies,
      runs,
      sourceStates,
      outbox,
      alerts: new SnsAlertPublisher(sns, config.alertsTopicArn, { fifo: config.alertsTopicFifo }),
      clock: { now: () => new Date() },
      history: new DynamoDbHistoryStore(documents, config.tables.totals),
      runState: new DynamoDbRunState(documents, config.tables.runs),
      metrics,
      ...(venues && { venues, venueLog: new DynamoDbVenueCheckLog(documents, config.tables.runs) }),
      ...(config.shardFunctionName && { invoker: new LambdaShardInvoker(lambdaClient(config), config.shardFunctionName) }),
    },
    settings: {
      ...config.run,
      venueBudgets: venueBudgets({ runSeconds: config.run.venueRunSeconds, multiMarketsRatePerMinute: config.multiMarkets?.ratePerMinute }),
    },
    hooks: { drift, retryBudget, callDeadline, endpoints, onProgress: (progress) => log.debug('run progress', progress) },
  };
  return { deps, queuedRuns: runs, log, metrics, pressure };
}

/**
 * The venue ports: the account mapping and a paced client per configured venue (MultiMarkets: one
 * gate per container; INDX: one per WMID), each INDX trader signing with its own credentials.
 */
function wireVenues(
  config: Config,
  http: {
    timeoutMs: number;
    retries: number;
    retryBudget: RetryBudget;
    pressure: UpstreamPressure;
    deadline: CallDeadline;
    answered: EndpointLog;
  },
  drift: DriftLog,
): VenuePorts {
  const { multiMarkets, indx } = config;
  const accounts = loadVenueAccounts(config.venueAccountsFile as string, { stage: config.stage });
  return {
    accounts,
    multiMarkets: multiMarkets
      ? new MultiMarketsClient(
          multiMarketsHttp({ baseUrl: multiMarkets.url, ratePerMinute: multiMarkets.ratePerMinute, ...http }),
          multiMarkets.companyId,
          {
            notFoundCodes: multiMarkets.notFoundCodes,
            drift,
          },
        )
      : undefined,
    indx: indx
      ? indxVenuePort(new IndxClient(indxHttp({ baseUrl: indx.url, minIntervalMs: indx.minIntervalMs, ...http }), drift), {
          shared: { login: indx.login, password: indx.password },
          read: config.credential,
          probeWmid: indx.wmid,
          accounts: accounts.indx,
        })
      : undefined,
  };
}
