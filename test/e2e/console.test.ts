import { readFileSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { DiscrepancyAnswer } from '../../lib/api/schemas';
import {
  allBreakIds,
  applyFilters,
  breaksTable,
  type ConsoleSession,
  filterField,
  launchChromium,
  NARROW,
  overflowsHorizontally,
  pageOfBreakIds,
  screenshot,
  signInLocally,
} from './support/console-browser';
import { type LocalStack, portIsFree, processesNaming, startLocalStack } from './support/local-stack';
import { parseCsv, plantedIds, ReconApi } from './support/recon-api';

const SEVERITY_RANK = { critical: 0, high: 1, medium: 2, low: 3 } as const;
const ANALYST_A = 'analyst-a@example.com';
const ANALYST_B = 'analyst-b@example.com';
const ids = (items: readonly DiscrepancyAnswer[]) => items.map((item) => item.id);
const sorted = (values: readonly string[]) => [...values].sort();

/** Stops a stack through its script and checks that every port is free again and no process of it is left. */
async function stopAndExpectGone(running: LocalStack): Promise<void> {
  await running.stop();
  expect(await Promise.all(running.ports.map(portIsFree)), 'every port free again').toEqual(running.ports.map(() => true));
  expect(processesNaming(running.ports), 'no process of the stack left').toEqual([]);
}

/** Opens a break from the Breaks table (its id's link on the current page) and waits for its page. */
async function openBreak(page: Page, id: string): Promise<void> {
  await breaksTable(page).getByRole('link', { name: id, exact: true }).click();
  await page.getByRole('heading', { name: id, exact: true }).waitFor();
  await page.getByRole('list', { name: 'Timeline', exact: true }).waitFor();
}

/** Goes to Breaks through the nav and shows the breaks of `filters` (Status always set, so the filter is explicit). */
async function showBreaks(page: Page, filters: Record<string, string>): Promise<void> {
  await page.getByRole('link', { name: 'Breaks', exact: true }).click();
  await page.getByRole('heading', { name: 'Breaks', exact: true }).waitFor();
  await applyFilters(page, filters);
}

/** Shows the breaks of `filters` and opens the first one; answers its id. */
async function openFirstBreak(page: Page, filters: Record<string, string>): Promise<string> {
  await showBreaks(page, filters);
  const [id] = await pageOfBreakIds(page);
  if (!id) throw new Error(`no break shown for ${JSON.stringify(filters)}`);
  await openBreak(page, id);
  return id;
}

/** Fills the note (the pending approval's own, else the Actions one) and clicks `button`. */
async function act(page: Page, button: string, note: string, where: 'Actions' | 'Pending approval' = 'Actions'): Promise<void> {
  const region = page.getByRole('region', { name: where, exact: true });
  const own = region.getByRole('textbox', { name: 'Note', exact: true });
  const field = (await own.count()) > 0 ? own : page.getByRole('textbox', { name: 'Note', exact: true }).first();
  await field.fill(note);
  await Promise.all([
    page.waitForResponse(
      (response) => response.request().method() === 'POST' && new URL(response.url()).pathname.startsWith('/discrepancies/'),
    ),
    region.getByRole('button', { name: button, exact: true }).click(),
  ]);
}

/** The text of each Timeline entry, oldest first as the page lists them. */
async function timeline(page: Page): Promise<string[]> {
  return page.getByRole('list', { name: 'Timeline', exact: true }).getByRole('listitem').allInnerTexts();
}

describe('the console in a real browser, against `npm start`', () => {
  let stack: LocalStack;
  let api: ReconApi;
  let browser: Browser;
  let analyst: ConsoleSession;
  let planted: string[];

  beforeAll(async () => {
    [stack, browser] = await Promise.all([startLocalStack(), launchChromium()]);
    api = new ReconApi(stack.api);
    planted = await plantedIds(stack.sandbox);
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    if (stack) await stopAndExpectGone(stack);
  }, 60_000);

  it('runs a second `npm start` beside the first on ports of its own, each finding its own planted breaks', async () => {
    expect(stack.found.found).toBe(stack.found.planted);
    expect(stack.consoleUrl).toBe(`${stack.api}/console/`);
    const other = await startLocalStack(['--users', '5', '--seed', '3']);
    try {
      expect(new Set([...stack.ports, ...other.ports]).size).toBe(stack.ports.length + other.ports.length);
      expect(other.found.found).toBe(other.found.planted);
      expect(other.found.planted).not.toBe(stack.found.planted);
    } finally {
      await stopAndExpectGone(other);
    }
    expect((await api.discrepancies()).map((item) => item.id).sort()).toEqual([...planted].sort());
  }, 300_000);

  it('signs in locally and shows every planted break, most severe first, across all pages', async () => {
    analyst = await signInLocally(browser, stack.consoleUrl, ANALYST_A, 'act');
    const { page } = analyst;
    await page.getByRole('heading', { name: 'Breaks', exact: true }).waitFor();
    const totals = page.getByRole('region', { name: 'Totals', exact: true });
    await totals.waitFor();
    await expect.poll(() => totals.innerText()).not.toContain('…');
    await screenshot(page, 'breaks');

    const shown = await allBreakIds(page);
    const open = await api.discrepancies({ status: 'open' });
    expect(sorted(shown)).toEqual(sorted(ids(open)));
    expect(sorted(shown)).toEqual(sorted(planted));
    expect(shown).toHaveLength(stack.found.planted);
    const severityOf = new Map(open.map((item) => [item.id, SEVERITY_RANK[item.severity]]));
    const ranks = shown.map((id) => severityOf.get(id) ?? -1);
    expect(ranks).toEqual([...ranks].sort((a, b) => a - b));
  });

  it('filters by check and by severity, showing what the API answers for the same filter', async () => {
    const { page } = analyst;
    await showBreaks(page, { Status: 'open', Check: 'presence' });
    const presence = ids(await api.discrepancies({ status: 'open', check: 'presence' }));
    expect(presence.length).toBeGreaterThan(0);
    expect(sorted(await allBreakIds(page))).toEqual(sorted(presence));

    await showBreaks(page, { Status: 'open', Check: '', Severity: 'critical' });
    const critical = ids(await api.discrepancies({ status: 'open', severity: 'critical' }));
    expect(critical.length).toBeGreaterThan(0);
    expect(sorted(await allBreakIds(page))).toEqual(sorted(critical));
  });

  it('acknowledges a break with a note and shows the note in its timeline', async () => {
    const { page } = analyst;
    const id = await openFirstBreak(page, { Status: 'open', Severity: '', Check: 'amount-split' });
    await screenshot(page, 'break');
    const note = `e2e: asked ops about ${id}`;
    await act(page, 'Acknowledge', note);

    await expect.poll(() => timeline(page)).toContainEqual(expect.stringMatching(/acknowledged/));
    expect((await timeline(page)).find((entry) => entry.includes(note))).toMatch(new RegExp(ANALYST_A.replace('.', '\\.')));
    expect((await api.discrepancy(id)).discrepancy).toMatchObject({ status: 'acknowledged', acknowledgedNote: note });
  });

  it('takes two people to resolve a critical break: A proposes, A is refused as its own checker, B approves', async () => {
    const { page } = analyst;
    const id = await openFirstBreak(page, { Status: 'open', Check: '', Severity: 'critical' });
    await act(page, 'Propose resolution', 'e2e: the venue confirmed the balance');
    const pending = page.getByRole('region', { name: 'Pending approval', exact: true });
    await pending.waitFor();
    await screenshot(page, 'pending-approval');
    expect((await api.discrepancy(id)).discrepancy).toMatchObject({ status: 'open', pendingResolution: { by: ANALYST_A } });

    await act(page, 'Approve', 'e2e: approving my own proposal', 'Pending approval');
    await expect.poll(() => page.getByRole('alert').allInnerTexts()).toContainEqual(expect.stringMatching(/second person/i));
    expect((await api.discrepancy(id)).discrepancy.status).toBe('open');

    const checker = await signInLocally(browser, stack.consoleUrl, ANALYST_B, 'act');
    await showBreaks(checker.page, { Status: 'open', Check: '', Severity: 'critical' });
    await openBreak(checker.page, id);
    await act(checker.page, 'Approve', 'e2e: checked the venue statement', 'Pending approval');
    await expect.poll(() => timeline(checker.page)).toContainEqual(expect.stringMatching(/resolved/));
    const entries = await timeline(checker.page);
    expect(entries.some((entry) => /resolution-proposed|proposed/i.test(entry) && entry.includes(ANALYST_A))).toBe(true);
    expect(entries.some((entry) => /\bresolved\b/.test(entry) && entry.includes(ANALYST_B))).toBe(true);
    expect(await checker.page.getByRole('region', { name: 'Pending approval', exact: true }).count()).toBe(0);
    const detail = await api.discrepancy(id);
    expect(detail.discrepancy).toMatchObject({ status: 'resolved', resolvedBy: ANALYST_B });
    expect(detail.history.find((entry) => entry.type === 'resolved')).toMatchObject({ by: ANALYST_B, proposedBy: ANALYST_A });
    await checker.context.close();
  });

  it('starts a dry run and follows it until it finishes', async () => {
    const { page } = analyst;
    await page.getByRole('link', { name: 'Runs', exact: true }).click();
    await page.getByRole('heading', { name: 'Runs', exact: true }).waitFor();
    await page.getByRole('table', { name: 'Runs', exact: true }).getByRole('link').first().waitFor();
    await screenshot(page, 'runs');
    const form = page.getByRole('form', { name: 'Start a run', exact: true });
    await form.getByRole('checkbox', { name: 'Dry run', exact: true }).check();
    const users = [...new Set(planted.map((id) => id.split(':')[1] ?? ''))].slice(0, 2);
    await form.getByRole('textbox', { name: 'Users', exact: true }).fill(users.join(', '));
    const [started] = await Promise.all([
      page.waitForResponse((response) => new URL(response.url()).pathname === '/runs' && response.request().method() === 'POST'),
      form.getByRole('button', { name: 'Start run', exact: true }).click(),
    ]);
    expect(started.status()).toBe(202);
    const { runId } = z.object({ runId: z.string() }).parse(await started.json());
    const heading = page.getByRole('heading', { name: `Run ${runId}`, exact: true });
    await heading.waitFor({ timeout: 5_000 }).catch(() => page.getByRole('link', { name: runId, exact: true }).click());
    await heading.waitFor();
    const status = page.getByRole('paragraph').filter({ hasText: /^Status: (complete|partial|failed|skipped)$/ });
    await status.waitFor({ timeout: 90_000 });
    expect(await status.innerText()).toBe('Status: complete');
    await page.getByRole('table', { name: 'Checks', exact: true }).waitFor();
    await page.getByRole('table', { name: 'Sources', exact: true }).waitFor();
    await screenshot(page, 'run');
    expect(await api.get(`/runs/${encodeURIComponent(runId)}`)).toMatchObject({ status: 'complete', dryRun: true });
  });

  it('shows the trends as charts', async () => {
    const { page } = analyst;
    await page.getByRole('link', { name: 'Trends', exact: true }).click();
    await page.getByRole('heading', { name: 'Trends', exact: true }).waitFor();
    for (const name of ['Open breaks by severity', 'Break value by severity', 'Open breaks by check', 'Source health']) {
      const figure = page.getByRole('figure', { name, exact: true });
      await figure.waitFor();
      // uPlot draws on a canvas once the runs are read.
      await figure.locator('canvas').first().waitFor();
    }
    await screenshot(page, 'trends');
  });

  it('exports the current filter as CSV, every row what the API answers for it', async () => {
    const { page } = analyst;
    await showBreaks(page, { Status: 'open', Check: '', Severity: '' });
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Export CSV', exact: true }).click(),
    ]);
    expect(download.suggestedFilename()).toBe('breaks.csv');
    const path = await download.path();
    const text = readFileSync(path, 'utf8');
    expect(text.split(/\r?\n/)[0]).toBe(
      'id,check,userId,asset,field,severity,status,expected,actual,difference,differenceInRoot,firstSeenAt,lastSeenAt,assignedTo',
    );
    const rows = parseCsv(text);
    const open = await api.discrepancies({ status: 'open' });
    expect(sorted(rows.map((row) => row.id ?? ''))).toEqual(sorted(ids(open)));
    for (const item of open) {
      const row = rows.find((candidate) => candidate.id === item.id);
      expect(row, item.id).toEqual({
        id: item.id,
        check: item.check,
        userId: item.userId,
        asset: item.asset,
        field: item.field,
        severity: item.severity,
        status: item.status,
        expected: item.expected,
        actual: item.actual,
        difference: item.difference,
        differenceInRoot: item.differenceInRoot ?? '',
        firstSeenAt: item.firstSeenAt,
        lastSeenAt: item.lastSeenAt,
        assignedTo: item.assignedTo ?? '',
      });
    }
  });

  it('reaches the filters and the first break with the keyboard', async () => {
    const { page } = analyst;
    await showBreaks(page, { Status: 'open', Check: '', Severity: '' });
    const targets = {
      Status: filterField(page, 'Status'),
      Severity: filterField(page, 'Severity'),
      Check: filterField(page, 'Check'),
      Asset: filterField(page, 'Asset'),
      User: filterField(page, 'User'),
      'Apply filters': page.getByRole('button', { name: 'Apply filters', exact: true }),
      'first break': breaksTable(page).getByRole('link').first(),
    };
    for (const [name, target] of Object.entries(targets))
      await target.evaluate((element, mark) => element.setAttribute('data-e2e-target', mark), name);
    await page.evaluate('document.activeElement?.blur?.()');
    const reached = new Set<string>();
    for (let presses = 0; presses < 80 && reached.size < Object.keys(targets).length; presses++) {
      await page.keyboard.press('Tab');
      const mark: unknown = await page.evaluate("document.activeElement?.getAttribute('data-e2e-target') ?? null");
      if (typeof mark === 'string') reached.add(mark);
    }
    expect([...reached].sort()).toEqual(Object.keys(targets).sort());
  });

  it('fits a 390 px screen: Breaks and a break overflow nothing horizontally', async () => {
    const narrow = await signInLocally(browser, stack.consoleUrl, 'narrow@example.com', 'read', NARROW);
    expect(await overflowsHorizontally(narrow.page)).toBe(false);
    const [id] = await pageOfBreakIds(narrow.page);
    if (!id) throw new Error('no break shown');
    await openBreak(narrow.page, id);
    expect(await overflowsHorizontally(narrow.page)).toBe(false);
    await narrow.context.close();
  });

  it('offers a viewer no action: no action buttons on a break, no run to start', async () => {
    const viewer = await signInLocally(browser, stack.consoleUrl, 'viewer@example.com', 'read');
    const [id] = await pageOfBreakIds(viewer.page);
    if (!id) throw new Error('no break shown');
    await openBreak(viewer.page, id);
    for (const name of ['Acknowledge', 'Assign', 'Resolve', 'Propose resolution', 'Approve', 'Reject']) {
      expect(await viewer.page.getByRole('button', { name, exact: true }).count(), name).toBe(0);
    }
    await viewer.page.getByRole('link', { name: 'Runs', exact: true }).click();
    await viewer.page.getByRole('heading', { name: 'Runs', exact: true }).waitFor();
    expect(await viewer.page.getByRole('button', { name: 'Start run', exact: true }).count()).toBe(0);
    await viewer.page.getByRole('button', { name: 'Sign out', exact: true }).click();
    await viewer.page.getByRole('heading', { name: 'Sign in', exact: true }).waitFor();
    await viewer.context.close();
  });
});
