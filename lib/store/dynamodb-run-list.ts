import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Page } from '../ports/page';
import type { RunList } from '../ports/run-list';
import type { RunSummary } from '../ports/run-summary';
import { queryPage } from './page-cursor';
import { parseRun, RUN_KIND, RUNS_BY_TIME } from './runs-table';

/** The keys a cursor of the run list names: the table's and the `by-time` index's. */
const RUN_LIST_KEYS = ['runId', 'kind', 'startedAt'] as const;

/**
 * The runs newest first (`GET /runs`), by the runs table's `by-time` index: a Query of run records only, never
 * the lock, plans, shards or health items that share the table. Apart from {@link DynamoDbRunReader} so that only
 * the function that lists runs bundles, and is granted, the Query on the index.
 */
export class DynamoDbRunList implements RunList {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  /** A page of runs, newest first; `cursor` is where the last page ended. */
  listRuns(page: { limit: number; cursor?: string }): Promise<Page<RunSummary>> {
    return queryPage(
      this.client,
      {
        TableName: this.table,
        IndexName: RUNS_BY_TIME,
        KeyConditionExpression: '#kind = :kind',
        ExpressionAttributeNames: { '#kind': 'kind' },
        ExpressionAttributeValues: { ':kind': RUN_KIND.kind },
        ScanIndexForward: false,
      },
      { ...page, keyNames: RUN_LIST_KEYS },
      (item) => parseRun(item, String(item.runId)),
    );
  }
}
