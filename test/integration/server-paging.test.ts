import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../lib/config';
import { reconcile } from '../../lib/runs/reconcile';
import { wire } from '../../lib/wiring';
import { startSandbox } from '../../sandbox/server';
import { localEnvironment } from '../support/local-environment';
import { alertsTopic, freshTables } from '../support/local-services';
import { keyOf } from '../support/planted-items';
import { runDeps } from '../support/run-deps';

/**
 * One whole run, through the real wiring (every adapter over HTTP, DynamoDB Local, the SNS emulator), over
 * a sandbox whose every paged endpoint answers at most `pageCap` rows a page while the product asks its
 * defaults (`USER_BATCH_SIZE` 50, `PAGE_SIZE` 100): the server decides, as in the documents.
 */
async function runAtCap(pageCap: number, users: number, seed: number) {
  const sandbox = await startSandbox({ port: 0, users, seed, pageCap });
  try {
    const tables = await freshTables();
    const topic = await alertsTopic();
    try {
      const { deps } = wire(loadConfig(localEnvironment(sandbox, tables, topic, { venues: true })));
      const summary = await reconcile(
        { runId: `cap-${pageCap}`, trigger: { type: 'direct' }, asOf: new Date(sandbox.book.asOf) },
        runDeps(deps),
      );
      const { Items = [] } = await tables.documents.send(new ScanCommand({ TableName: tables.tables.discrepancies }));
      return { summary, found: Items.map((item) => keyOf(item as never)).sort(), book: sandbox.book };
    } finally {
      await topic.stop();
    }
  } finally {
    await sandbox.close();
  }
}

describe('a run over a server that caps its pages (sandbox over HTTP, DynamoDB Local, SNS emulator)', () => {
  it.each([
    { pageCap: 15, users: 48, seed: 7 },
    { pageCap: 7, users: 48, seed: 21 },
    { pageCap: 1, users: 20, seed: 5 },
  ])(
    'checks every user of the listing and finds every plant at a page cap of $pageCap ($users users)',
    async ({ pageCap, users, seed }) => {
      const { summary, found, book } = await runAtCap(pageCap, users, seed);
      expect(book.users.length).toBe(users);
      // Several listing pages at the cap: the product asked 50 a page and followed the server's pages.
      expect(Math.ceil(users / pageCap)).toBeGreaterThan(1);
      expect(summary.status).toBe('complete');
      expect(summary.users).toBe(users);
      expect(summary.sources.reporting?.status).toBe('ok');
      expect(found).toEqual(book.manifest.planted.map(keyOf).sort());
      expect(summary.checks['asset-totals'].unknown).toBe(0);
    },
  );
});
