import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { RunState } from '../../../lib/api/schemas';
import { actCommand } from '../../../scripts/cli/commands/act';
import { exportCommand } from '../../../scripts/cli/commands/export';
import { listCommand } from '../../../scripts/cli/commands/list';
import { type Clock, MAX_POLL_FAILURES, runCommand } from '../../../scripts/cli/commands/run';
import { showCommand } from '../../../scripts/cli/commands/show';
import type { CommandContext } from '../../../scripts/cli/context';
import { ApiError, ApiUnreachableError, RunTimeoutError, UsageError } from '../../../scripts/cli/errors';
import { discrepancy, FakeReconApi, summary } from './fake-recon-api';
import { Sink } from './sink';

function setup(api: FakeReconApi, options: { json?: boolean } = {}) {
  const out = new Sink();
  const err = new Sink();
  const context: CommandContext = { api, out, err, json: options.json ?? false };
  return { context, out, err };
}

/** A clock that moves only when the command sleeps. */
function fakeClock(): Clock & { slept: number[] } {
  let now = 1_700_000_000_000;
  const slept: number[] = [];
  return {
    slept,
    now: () => now,
    sleep: async (ms) => {
      slept.push(ms);
      now += ms;
    },
  };
}

const queued: RunState = { runId: 'run-9', status: 'queued' };
const running = (users: number): RunState => ({
  runId: 'run-9',
  status: 'running',
  progress: { users, positions: users * 4, discrepancies: 1 },
});

describe('runCommand', () => {
  it('polls every second until the run is done, prints its summary and exits 2 when it is partial', async () => {
    const api = new FakeReconApi([queued, running(10), running(40), summary({ status: 'partial' })]);
    const { context, out, err } = setup(api);
    const clock = fakeClock();
    expect(await runCommand(context, {}, clock)).toBe(2);
    expect(api.calls.map((call) => call.method)).toEqual(['startRun', 'getRun', 'getRun', 'getRun']);
    expect(api.calls.slice(1).every((call) => call.args[0] === 'run-9')).toBe(true);
    expect(clock.slept).toEqual([1000, 1000, 1000]);
    expect(out.text).toContain('run run-9: partial');
    expect(out.text).toMatch(/│ cross-source +│ +236 │/);
    // Not a terminal: no bar, one line per change of status.
    expect(err.text).toBe('run run-9 queued…\nrun run-9 running…\n');
  });

  it('exits 0 for a complete run and 3 for a failed or skipped one', async () => {
    for (const [status, code] of [
      ['complete', 0],
      ['failed', 3],
      ['skipped', 3],
    ] as const) {
      const { context } = setup(new FakeReconApi([queued, summary({ status })]));
      expect(await runCommand(context, {}, fakeClock())).toBe(code);
    }
  });

  it('takes a synchronous answer (200 with the summary) as the end of the run, without polling', async () => {
    const api = new FakeReconApi([summary()]);
    const { context } = setup(api);
    expect(await runCommand(context, {}, fakeClock())).toBe(0);
    expect(api.calls.map((call) => call.method)).toEqual(['startRun']);
  });

  it('sends the scope, the dry run and the as-of from the flags, with the wait as the first call’s timeout', async () => {
    const api = new FakeReconApi();
    const { context } = setup(api);
    await runCommand(
      context,
      {
        user: ['u1', 'u2', 'u1'],
        asset: ['BTC'],
        check: ['cross-source'],
        source: ['indx'],
        dryRun: true,
        asOf: '2026-11-01T00:00:00Z',
        wait: '60',
      },
      fakeClock(),
    );
    expect(api.calls[0]?.args).toEqual([
      { users: ['u1', 'u2'], assets: ['btc'], checks: ['cross-source'], sources: ['indx'], dryRun: true, asOf: '2026-11-01T00:00:00Z' },
      { timeoutMs: 60_000 },
    ]);
  });

  it('sends an empty body for a run of everything', async () => {
    const api = new FakeReconApi();
    await runCommand(setup(api).context, {}, fakeClock());
    expect(api.calls[0]?.args[0]).toEqual({});
  });

  it('refuses an unknown check, source, a bad date and a bad wait before calling, listing the allowed values', async () => {
    const api = new FakeReconApi();
    await expect(
      runCommand(setup(api).context, { check: ['cross-sauce'], source: ['nasdaq'], asOf: '31/01/2026', wait: 'soon' }, fakeClock()),
    ).rejects.toMatchObject({
      name: 'UsageError',
      problems: [
        expect.stringMatching(/^--check "cross-sauce": must be one of amount-split, cross-source, .*sanity$/),
        '--source "nasdaq": must be one of backoffice, reporting, multimarkets, indx',
        '--as-of "31/01/2026": must be an ISO 8601 date-time with a zone, e.g. 2026-01-31T23:59:59Z',
        '--wait "soon": must be a whole number of seconds from 1 to 86400',
      ],
    });
    expect(api.calls).toEqual([]);
  });

  it('applies the API’s scope rules before calling: user ids, at most 1000 users', async () => {
    const api = new FakeReconApi();
    const many = Array.from({ length: 1001 }, (_, index) => `u${index}`);
    await expect(runCommand(setup(api).context, { user: many }, fakeClock())).rejects.toMatchObject({
      problems: ['--user: at most 1000 users: run the whole book instead'],
    });
    await expect(runCommand(setup(api).context, { user: ['u 1'] }, fakeClock())).rejects.toMatchObject({
      problems: ['--user "u 1": must be a user id'],
    });
    expect(api.calls).toEqual([]);
  });

  it('gives up when --wait runs out, naming the run', async () => {
    const api = new FakeReconApi([queued, running(1)]);
    const clock = fakeClock();
    await expect(runCommand(setup(api).context, { wait: '5' }, clock)).rejects.toEqual(new RunTimeoutError('run-9', 5, 'running'));
    expect(clock.slept).toHaveLength(5);
  });

  it('rides out a few failed polls (a 502, a dropped connection) but not a refused token', async () => {
    const api = new FakeReconApi([queued, running(1), summary()]);
    api.getRunFailures.set(0, new ApiError('GET /runs/run-9', 502, ['Bad Gateway']));
    api.getRunFailures.set(1, new ApiUnreachableError('GET /runs/run-9', 'http://127.0.0.1:3000', 'ECONNRESET'));
    expect(await runCommand(setup(api).context, {}, fakeClock())).toBe(0);

    const refused = new FakeReconApi([queued, summary()]);
    refused.getRunFailures.set(0, new ApiError('GET /runs/run-9', 401, ['token has expired']));
    await expect(runCommand(setup(refused).context, {}, fakeClock())).rejects.toMatchObject({ status: 401 });
  });

  it(`stops after ${MAX_POLL_FAILURES} failed polls in a row`, async () => {
    const api = new FakeReconApi([queued]);
    for (let index = 0; index < MAX_POLL_FAILURES; index++) api.getRunFailures.set(index, new ApiError('GET /runs/run-9', 503, []));
    await expect(runCommand(setup(api).context, {}, fakeClock())).rejects.toMatchObject({ status: 503 });
    expect(api.calls.filter((call) => call.method === 'getRun')).toHaveLength(MAX_POLL_FAILURES);
  });

  it('prints the summary as one JSON document with --json, and nothing on stderr', async () => {
    const finished = summary({ status: 'partial' });
    const { context, out, err } = setup(new FakeReconApi([queued, running(3), finished]), { json: true });
    expect(await runCommand(context, {}, fakeClock())).toBe(2);
    expect(JSON.parse(out.text)).toEqual(finished);
    expect(err.text).toBe('');
  });
});

describe('listCommand', () => {
  const book = Array.from({ length: 7 }, (_, index) => discrepancy({ userId: `u${index}` }));

  it('follows every cursor with --all', async () => {
    const api = new FakeReconApi([], book);
    const { context, out } = setup(api);
    expect(await listCommand(context, { all: true, limit: '3' })).toBe(0);
    expect(api.calls.map((call) => call.args[0])).toEqual([{ limit: 3 }, { limit: 3, cursor: 'page-3' }, { limit: 3, cursor: 'page-6' }]);
    for (const item of book) expect(out.text).toContain(`│ ${item.id} │`);
    expect(out.text).toContain('7 discrepancies');
  });

  it('shows one page without --all, and how to get the next', async () => {
    const api = new FakeReconApi([], book);
    const { context, out } = setup(api);
    await listCommand(context, { limit: '5' });
    expect(api.calls).toHaveLength(1);
    expect(out.text).toContain('│ cross-source:u4:eth │');
    expect(out.text).not.toContain('cross-source:u5:eth');
    expect(out.text).toContain('more match: add --all for every page, or --cursor page-5 for the next');
  });

  it('passes the filters as the API names them', async () => {
    const api = new FakeReconApi([], [...book, discrepancy({ userId: 'u9', severity: 'critical', asset: 'btc' })]);
    const { context, out } = setup(api);
    await listCommand(context, { status: 'open', severity: 'critical', check: 'cross-source', asset: 'BTC', user: 'u9' });
    expect(api.calls[0]?.args[0]).toEqual({
      status: 'open',
      severity: 'critical',
      check: 'cross-source',
      asset: 'btc',
      user: 'u9',
      limit: 25,
    });
    expect(out.text).toContain('cross-source:u9:btc');
  });

  it('refuses a bad severity, status or limit before calling, listing the allowed values', async () => {
    const api = new FakeReconApi([], book);
    await expect(listCommand(setup(api).context, { severity: 'urgent', status: 'closed', limit: '500' })).rejects.toMatchObject({
      problems: [
        '--status "closed": must be one of open, acknowledged, resolved',
        '--severity "urgent": must be one of low, medium, high, critical',
        expect.stringMatching(/^--limit "500": /),
      ],
    });
    expect(api.calls).toEqual([]);
  });

  it('prints valid JSON with --json: the page as is, or every item in one document with --all', async () => {
    const page = setup(new FakeReconApi([], book), { json: true });
    await listCommand(page.context, { limit: '2' });
    expect(JSON.parse(page.out.text)).toEqual({ items: book.slice(0, 2), cursor: 'page-2' });

    const all = setup(new FakeReconApi([], book), { json: true });
    await listCommand(all.context, { limit: '2', all: true });
    expect(JSON.parse(all.out.text)).toEqual({ items: book });
  });
});

describe('showCommand', () => {
  const history = [{ discrepancyId: 'cross-source:u1:eth', type: 'opened', at: '2026-11-19T10:00:00.000Z', runId: 'run-1' }];

  it('shows the discrepancy, its evidence and its history', async () => {
    const { context, out } = setup(new FakeReconApi([], [discrepancy()], history));
    expect(await showCommand(context, 'cross-source:u1:eth')).toBe(0);
    expect(out.text).toContain('backoffice.available = 12345678901234567.123456789012345678');
    expect(out.text).toMatch(/│ 2026-11-19T10:00:00.000Z │ opened │ run-1 /);
  });

  it('prints the API’s { discrepancy, history } with --json', async () => {
    const { context, out } = setup(new FakeReconApi([], [discrepancy()], history), { json: true });
    await showCommand(context, 'cross-source:u1:eth');
    expect(JSON.parse(out.text)).toEqual({ discrepancy: discrepancy(), history });
  });

  it('refuses something that is not a discrepancy id before calling', async () => {
    const api = new FakeReconApi([], [discrepancy()]);
    await expect(showCommand(setup(api).context, 'u1/eth')).rejects.toMatchObject({
      problems: ['<id> "u1/eth": must be a discrepancy id (check:userId:asset)'],
    });
    expect(api.calls).toEqual([]);
  });
});

describe('actCommand', () => {
  it('refuses to acknowledge or resolve without a note, before calling the API', async () => {
    const api = new FakeReconApi([], [discrepancy()]);
    for (const action of ['acknowledge', 'resolve'] as const) {
      for (const note of [undefined, '', '   ']) {
        await expect(
          actCommand(setup(api).context, action, 'cross-source:u1:eth', note === undefined ? {} : { note }),
        ).rejects.toMatchObject({
          name: 'UsageError',
          problems: [expect.stringMatching(/^--note( ".*")?: a note is required$/)],
        });
      }
    }
    expect(api.calls).toEqual([]);
  });

  it('acknowledges with the note and says who did it when', async () => {
    const api = new FakeReconApi([], [discrepancy()]);
    const { context, out } = setup(api);
    expect(await actCommand(context, 'acknowledge', 'cross-source:u1:eth', { note: '  deposit in transit, OPS-12 ' })).toBe(0);
    expect(api.calls).toEqual([{ method: 'actOnDiscrepancy', args: ['acknowledge', 'cross-source:u1:eth', 'deposit in transit, OPS-12'] }]);
    expect(out.text).toBe(
      'cross-source:u1:eth is now acknowledged: by analyst@localhost at 2026-11-22T12:00:00.000Z — deposit in transit, OPS-12\n',
    );
  });

  it('prints the resolved discrepancy as JSON with --json', async () => {
    const { context, out } = setup(new FakeReconApi([], [discrepancy()]), { json: true });
    await actCommand(context, 'resolve', 'cross-source:u1:eth', { note: 'booked' });
    expect(JSON.parse(out.text)).toMatchObject({ id: 'cross-source:u1:eth', status: 'resolved', resolvedNote: 'booked' });
  });
});

describe('exportCommand', () => {
  const book = [
    ...Array.from({ length: 130 }, (_, index) => discrepancy({ userId: `u${index}` })),
    discrepancy({ userId: 'x', resolvedNote: 'a, "quoted"\nnote', status: 'resolved' }),
  ];
  const dir = mkdtempSync(join(tmpdir(), 'recon-export-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('writes every page as CSV to stdout, 100 at a time', async () => {
    const api = new FakeReconApi([], book);
    const { context, out } = setup(api);
    expect(await exportCommand(context, { format: 'csv' })).toBe(0);
    expect(api.calls.map((call) => call.args[0])).toEqual([{ limit: 100 }, { limit: 100, cursor: 'page-100' }]);
    const lines = out.text.split('\r\n');
    expect(lines[0]).toMatch(/^id,check,userId,asset,field,expected,actual,difference,/);
    expect(lines[1]).toMatch(
      /^cross-source:u0:eth,cross-source,u0,eth,available,12345678901234567\.123456789012345678,12345678901234567\.123456789012345677,-0\.000000000000000001,/,
    );
    expect(out.text).toContain(',"a, ""quoted""\nnote"\r\n');
  });

  it('writes to --output only when every page has arrived, and says how many', async () => {
    const file = join(dir, 'open.csv');
    const { context, out, err } = setup(new FakeReconApi([], book));
    await exportCommand(context, { format: 'csv', output: file });
    expect(out.text).toBe('');
    expect(err.text).toBe(`wrote 131 discrepancies to ${file}\n`);
    expect(readFileSync(file, 'utf8').split('\r\n')).toHaveLength(133);
    expect(readdirSync(dir)).toEqual(['open.csv']);
  });

  it('leaves no file when a page fails', async () => {
    const api = new FakeReconApi([], book);
    api.listDiscrepancies = async () => {
      throw new ApiError('GET /discrepancies', 500, ['internal error']);
    };
    const file = join(dir, 'never.csv');
    await expect(exportCommand(setup(api).context, { output: file })).rejects.toBeInstanceOf(ApiError);
    expect(readdirSync(dir)).not.toContain('never.csv');
  });

  it('refuses a format it does not write before calling', async () => {
    const api = new FakeReconApi([], book);
    await expect(exportCommand(setup(api).context, { format: 'xlsx' })).rejects.toEqual(
      new UsageError(['--format "xlsx": must be one of csv']),
    );
    expect(api.calls).toEqual([]);
  });

  it('prints one JSON document with every item with --json', async () => {
    const { context, out } = setup(new FakeReconApi([], book), { json: true });
    await exportCommand(context, {});
    expect(JSON.parse(out.text).items).toHaveLength(131);
  });
});
