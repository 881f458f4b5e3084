import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  SANDBOX_BACKOFFICE_TOKEN,
  SANDBOX_INDX_LOGIN,
  SANDBOX_INDX_PASSWORD,
  SANDBOX_MULTIMARKETS_COMPANY_ID,
  SANDBOX_REPORTING_TOKEN,
  sandboxIndxTraderEnvironment,
} from '../../sandbox/credentials';
import type { RunningSandbox } from '../../sandbox/server';
import { writeVenueAccountsFile } from '../../scripts/local/venue-accounts-of-book';

/**
 * The environment a function needs to run against the local services of a test: the sandbox's
 * upstreams (and, with `venues`, its MultiMarkets and INDX with a mapping of its book, at their
 * fastest allowed pace), fresh tables in DynamoDB Local and an SNS emulator topic.
 */
export function localEnvironment(
  sandbox: RunningSandbox,
  tables: { endpoint: string; tables: { discrepancies: string; runs: string; history: string; totals: string; outbox: string } },
  topic: { endpoint: string; topicArn: string },
  options: { venues?: boolean } = {},
): Record<string, string> {
  const venues: Record<string, string> = {};
  if (options.venues) {
    const file = join(mkdtempSync(join(tmpdir(), 'venue-accounts-')), 'venue-accounts.json');
    writeVenueAccountsFile(sandbox.book, file);
    Object.assign(venues, {
      MULTIMARKETS_URL: sandbox.url,
      MULTIMARKETS_COMPANY_ID: SANDBOX_MULTIMARKETS_COMPANY_ID,
      MULTIMARKETS_RATE_PER_MINUTE: '100',
      INDX_URL: sandbox.url,
      INDX_LOGIN: SANDBOX_INDX_LOGIN,
      INDX_PASSWORD: SANDBOX_INDX_PASSWORD,
      INDX_MIN_INTERVAL_MS: '1000',
      ...sandboxIndxTraderEnvironment(),
      VENUE_ACCOUNTS_FILE: file,
    });
  }
  return {
    BACKOFFICE_URL: sandbox.url,
    BACKOFFICE_TOKEN: SANDBOX_BACKOFFICE_TOKEN,
    REPORTING_TOKEN: SANDBOX_REPORTING_TOKEN,
    DISCREPANCIES_TABLE: tables.tables.discrepancies,
    RUNS_TABLE: tables.tables.runs,
    HISTORY_TABLE: tables.tables.history,
    TOTALS_TABLE: tables.tables.totals,
    OUTBOX_TABLE: tables.tables.outbox,
    ALERTS_TOPIC_ARN: topic.topicArn,
    DYNAMODB_ENDPOINT: tables.endpoint,
    SNS_ENDPOINT: topic.endpoint,
    LOG_LEVEL: 'error',
    ...venues,
  };
}
