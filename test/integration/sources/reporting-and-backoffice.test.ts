import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Amount } from '../../../lib/domain/money';
import { SourceError } from '../../../lib/ports/source-error';
import { Secret } from '../../../lib/secret';
import { BackOfficeClient } from '../../../lib/sources/backoffice/backoffice-client';
import { JsonClient } from '../../../lib/sources/http/json-client';
import { newPagingNotes } from '../../../lib/sources/paging';
import { ReportingClient } from '../../../lib/sources/reporting/reporting-client';
import { generateBook } from '../../../sandbox/book';
import { SANDBOX_BACKOFFICE_TOKEN, SANDBOX_REPORTING_TOKEN } from '../../../sandbox/credentials';
import { type RunningSandbox, startSandbox } from '../../../sandbox/server';

const units = (value: bigint, scale: number) => Amount.of(value, scale).toString();

describe('Reporting and back-office adapters against the sandbox over HTTP', () => {
  let sandbox: RunningSandbox;
  let http: (source: 'reporting' | 'backoffice') => JsonClient;
  beforeAll(async () => {
    sandbox = await startSandbox({ port: 0, users: 45, seed: 11 });
    http = (source) => new JsonClient({ source, baseUrl: sandbox.url, concurrency: 4, timeoutMs: 5_000, retries: 0 });
  });
  afterAll(async () => sandbox?.close());

  it('lists every asset with its scale', async () => {
    const reporting = new ReportingClient(http('reporting'), new Secret(SANDBOX_REPORTING_TOKEN), 4);
    const assets = await reporting.assets();
    expect(assets.map((row) => [row.assetId, row.assetAmountScale]).sort()).toEqual(
      sandbox.book.assets.map((asset) => [asset.id, asset.scale]).sort(),
    );
  });

  it('reads every user exactly once across pages of 7', async () => {
    const reporting = new ReportingClient(http('reporting'), new Secret(SANDBOX_REPORTING_TOKEN), 7);
    const notes = newPagingNotes();
    const ids: string[] = [];
    for await (const page of reporting.stream('users', {}, notes)) ids.push(...page.map((row) => row.userId));
    expect(ids).toHaveLength(45);
    expect(new Set(ids)).toEqual(new Set(sandbox.book.users.map((user) => user.userId)));
    expect(notes).toEqual({ pages: 7, rows: 45, totalChanged: false, repeatedRows: 0, pageSizeChanged: false, shortPages: [] });
  });

  it("reads a user's balances exactly as the sandbox's Reporting view holds them", async () => {
    const reporting = new ReportingClient(http('reporting'), new Secret(SANDBOX_REPORTING_TOKEN), 2);
    const position = sandbox.book.positions.find((candidate) => candidate.scale === 18) ?? sandbox.book.positions[0];
    if (!position) throw new Error('the book has no positions');
    const rows = await reporting.userBalances(position.userId);
    const row = rows.find((candidate) => candidate.assetId === position.asset);
    expect(row?.assetAmount.toString()).toBe(units(position.reporting.assetAmount, position.scale));
    expect(row?.lockedAssetAmount.toString()).toBe(units(position.reporting.lockedAssetAmount, position.scale));
    expect(row?.availableAssetAmount.toString()).toBe(units(position.reporting.availableAssetAmount, position.scale));
  });

  it('returns a typed not-found result for a user the back office does not know', async () => {
    const backOffice = new BackOfficeClient(http('backoffice'), new Secret(SANDBOX_BACKOFFICE_TOKEN), 2);
    const known = sandbox.book.users.slice(0, 3).map((user) => user.userId);
    const unknown = '5122444f-2658-fb8f-8863-16fdf0a2028b';
    const results = await backOffice.balances(
      [...known, unknown],
      sandbox.book.assets.map((asset) => asset.id),
    );
    expect(results.map((result) => result.userId)).toEqual([...known, unknown]);
    expect(results.at(-1)).toEqual({ userId: unknown, found: false, message: `User with id:${unknown} not found.` });
    const first = results[0];
    const position = sandbox.book.positions.find((candidate) => candidate.userId === known[0]);
    if (!first?.found || !position) throw new Error('expected the first user to be found');
    const balance = first.user.balances.find((row) => row.asset === position.asset);
    expect(balance?.amount.toString()).toBe(units(position.backOffice.amount, position.scale));
  });

  it('reads the back office available balances, sent as JSON numbers, without losing a digit', async () => {
    const backOffice = new BackOfficeClient(http('backoffice'), new Secret(SANDBOX_BACKOFFICE_TOKEN), 2);
    const big = sandbox.book.positions.find((position) => position.backOffice.available > 2n ** 53n * 10n ** BigInt(position.scale));
    if (!big) throw new Error('the book has no balance above 2^53');
    const available = await backOffice.available(big.userId);
    expect(available.get(big.asset)?.toString()).toBe(units(big.backOffice.available, big.scale));
  });

  it('reads a back-office balance of 9007199254740993.123456789012345678 intact', async () => {
    const book = generateBook({ users: 3, seed: 1 });
    const position = book.positions.find((candidate) => candidate.scale === 18) as (typeof book.positions)[number];
    position.backOffice.available = 9007199254740993123456789012345678n;
    const own = await startSandbox({ port: 0, book });
    try {
      const backOffice = new BackOfficeClient(
        new JsonClient({ source: 'backoffice', baseUrl: own.url, concurrency: 1, timeoutMs: 5_000, retries: 0 }),
        new Secret(SANDBOX_BACKOFFICE_TOKEN),
        2,
      );
      expect((await backOffice.available(position.userId)).get(position.asset)?.toString()).toBe('9007199254740993.123456789012345678');
    } finally {
      await own.close();
    }
  });

  it('fails with a non-retryable SourceError that never shows the token when the token is wrong', async () => {
    const reporting = new ReportingClient(http('reporting'), new Secret('wrong-token-value'), 5);
    const error = await reporting.assets().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(SourceError);
    expect(error).toMatchObject({ source: 'reporting', failure: 'http-status', status: 401, retryable: false });
    expect(String((error as Error).message)).not.toContain('wrong-token-value');
  });
});
