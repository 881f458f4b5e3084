import { describe, expect, it } from 'vitest';
import type { RunState } from '../../../lib/api/schemas';
import { runsCommand } from '../../../scripts/cli/commands/runs';
import type { CommandContext } from '../../../scripts/cli/context';
import { UsageError } from '../../../scripts/cli/errors';
import { FakeReconApi, summary } from './fake-recon-api';
import { Sink } from './sink';

function setup(runs: RunState[], options: { json?: boolean } = {}) {
  const api = new FakeReconApi();
  api.runs = runs;
  const out = new Sink();
  const context: CommandContext = { api, out, err: new Sink(), json: options.json ?? false };
  return { api, context, out };
}

const runs: RunState[] = [
  { runId: 'run-12', status: 'running', progress: { users: 40, positions: 160, discrepancies: 2 } },
  summary({ runId: 'run-11', dryRun: true, discrepancies: { total: 0, opened: 0, resolved: 0, items: [], truncated: false } }),
  summary({
    runId: 'run-10',
    trigger: { type: 'schedule' },
    discrepancies: { total: 3, opened: 3, resolved: 7, items: [], truncated: false },
  }),
];

describe('runsCommand', () => {
  it('prints one page as a table, newest first, and how to get the next', async () => {
    const { api, context, out } = setup(runs);
    expect(await runsCommand(context, { limit: '2' })).toBe(0);
    const lines = out.text.split('\n');
    expect(out.text).toMatch(/run\s+│\s+trigger\s+│\s+status/);
    expect(lines.findIndex((line) => line.includes('run-12'))).toBeLessThan(lines.findIndex((line) => line.includes('run-11')));
    expect(out.text).toMatch(/run-12\s+│\s+│\s+running\s+│\s+│\s+│\s+40\s+│\s+160/);
    expect(out.text).toMatch(/run-11\s+│\s+manual \(analyst@localhost\)\s+│\s+complete \(dry\)/);
    expect(out.text).not.toContain('run-10');
    expect(out.text).toContain('more runs: add --all for every page, or --cursor page-2 for the next');
    expect(api.calls).toEqual([{ method: 'listRuns', args: [{ limit: 2 }] }]);
  });

  it('follows every cursor with --all, showing breaks opened and resolved', async () => {
    const { api, context, out } = setup(runs);
    await runsCommand(context, { limit: '1', all: true });
    expect(api.calls.map((call) => call.args[0])).toEqual([{ limit: 1 }, { limit: 1, cursor: 'page-1' }, { limit: 1, cursor: 'page-2' }]);
    expect(out.text).toMatch(/run-10\s+│\s+schedule\s+│\s+complete\s+│.*│\s+3\s+│\s+7\s+│/);
    expect(out.text).toContain('3 runs');
  });

  it('prints the API’s JSON with --json: the page as is, or every item in one document with --all', async () => {
    const page = setup(runs, { json: true });
    await runsCommand(page.context, { limit: '2' });
    expect(JSON.parse(page.out.text)).toEqual({ items: runs.slice(0, 2), cursor: 'page-2' });
    const all = setup(runs, { json: true });
    await runsCommand(all.context, { all: true });
    expect(JSON.parse(all.out.text)).toEqual({ items: runs });
  });

  it('refuses a limit out of range before calling', async () => {
    const { api, context } = setup(runs);
    await expect(runsCommand(context, { limit: '500' })).rejects.toThrow(UsageError);
    expect(api.calls).toEqual([]);
  });
});
