import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BackOfficePort, ReportingPort } from '../../../lib/ports/upstream';
import { Secret } from '../../../lib/secret';
import { backOfficeAdapter } from '../../../lib/sources/backoffice/backoffice-adapter';
import { BackOfficeClient } from '../../../lib/sources/backoffice/backoffice-client';
import { JsonClient } from '../../../lib/sources/http/json-client';
import { reportingAdapter } from '../../../lib/sources/reporting/reporting-adapter';
import { ReportingClient } from '../../../lib/sources/reporting/reporting-client';
import { generateBook } from '../../../sandbox/book';
import { SANDBOX_BACKOFFICE_TOKEN, SANDBOX_REPORTING_TOKEN } from '../../../sandbox/credentials';
import { type RunningSandbox, startSandbox } from '../../../sandbox/server';

/** The product's Reporting and back-office ports over HTTP to `url`, asking 100 rows a page (the `PAGE_SIZE` default). */
function ports(url: string): { reporting: ReportingPort; backOffice: BackOfficePort } {
  const http = (source: 'reporting' | 'backoffice') =>
    new JsonClient({ source, baseUrl: url, concurrency: 4, timeoutMs: 5_000, retries: 0 });
  return {
    reporting: reportingAdapter(new ReportingClient(http('reporting'), new Secret(SANDBOX_REPORTING_TOKEN), 100)),
    backOffice: backOfficeAdapter(new BackOfficeClient(http('backoffice'), new Secret(SANDBOX_BACKOFFICE_TOKEN), 100), 100),
  };
}

/** Every paged read the run makes, of the whole book, as plain JSON (amounts as their decimal strings). */
async function readEverything({ reporting, backOffice }: ReturnType<typeof ports>, userIds: string[]) {
  const users = [];
  for (let page = 1; ; page++) {
    const answer = await reporting.usersPage({}, page, 50);
    users.push(...answer.users.map((user) => user.userId));
    if (page * answer.pageSize >= answer.total) break;
  }
  const orderIds = (await reporting.finishedOrders(userIds)).map((order) => order.orderId);
  const read = {
    assets: await reporting.assets(),
    users,
    balances: await Promise.all(userIds.map((userId) => reporting.userBalances(userId))),
    openOrders: await Promise.all(userIds.map((userId) => reporting.openOrders(userId))),
    transfers: await reporting.transfers(userIds),
    orderIds,
    trades: await reporting.tradesOfOrders(orderIds),
    backOffice: (await backOffice.balances(userIds)).map((entry) => (entry.found ? { ...entry, balances: [...entry.balances] } : entry)),
  };
  return JSON.parse(JSON.stringify(read, (_, value) => (typeof value === 'bigint' ? String(value) : value)));
}

describe("every paged read follows the server's page size (sandbox over HTTP)", () => {
  const book = generateBook({ users: 24, seed: 3 });
  const userIds = book.users.map((user) => user.userId);
  const sandboxes: RunningSandbox[] = [];
  afterAll(async () => Promise.all(sandboxes.map((sandbox) => sandbox.close())));
  const at = async (pageCap: number) => {
    const sandbox = await startSandbox({ port: 0, book, pageCap });
    sandboxes.push(sandbox);
    return sandbox.url;
  };

  it('reads the same rows of every report and of the back office at page caps of 1 and 7 as at 1000', async () => {
    const whole = await readEverything(ports(await at(1000)), userIds);
    expect(whole.users).toHaveLength(24);
    expect(whole.backOffice).toHaveLength(24);
    expect(whole.transfers.length).toBeGreaterThan(24);
    expect(whole.trades.length).toBeGreaterThan(24);
    for (const pageCap of [7, 1]) expect(await readEverything(ports(await at(pageCap)), userIds), `cap ${pageCap}`).toEqual(whole);
  });

  it('reads every user of a 24-user back-office batch from a server answering 15 a page', async () => {
    const { backOffice } = ports(await at(15));
    const answered = await backOffice.balances(userIds);
    expect(answered.map((entry) => entry.userId)).toEqual(userIds);
  });
});

describe('a back office that answers only part of the userIds it is sent', () => {
  let sandbox: RunningSandbox;
  let proxy: Server;
  let url: string;
  const seen: number[] = [];
  beforeAll(async () => {
    sandbox = await startSandbox({ port: 0, users: 24, seed: 3 });
    // Forwards each POST /balances with only its first 5 userIds, as a server with a limit on the list would answer.
    proxy = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk) => {
        body += chunk;
      });
      req.on('end', async () => {
        const sent = JSON.parse(body) as { userIds: string[] };
        seen.push(sent.userIds.length);
        const answer = await fetch(`${sandbox.url}${req.url}`, {
          method: 'POST',
          headers: { authorization: String(req.headers.authorization), 'content-type': 'application/json' },
          body: JSON.stringify({ ...sent, userIds: sent.userIds.slice(0, 5) }),
        });
        res.writeHead(answer.status, { 'content-type': 'application/json' }).end(await answer.text());
      });
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((resolve) => proxy.close(resolve));
    await sandbox.close();
  });

  it('is asked again for the users its answer left out until every one is answered', async () => {
    const userIds = sandbox.book.users.map((user) => user.userId);
    const { backOffice } = ports(url);
    const answered = await backOffice.balances(userIds);
    expect(answered.map((entry) => entry.userId)).toEqual(userIds);
    expect(seen).toEqual([24, 19, 14, 9, 4]);
  });
});
