import { mkdirSync } from 'node:fs';
import { type Browser, type BrowserContext, chromium, type Locator, type Page, type Response } from 'playwright-core';

/** The size the committed screenshots are taken at. */
export const DESKTOP = { width: 1280, height: 800 };
/** A phone's width: nothing may overflow it horizontally. */
export const NARROW = { width: 390, height: 844 };

const SCREENSHOTS = 'docs/screenshots';
const DISCREPANCY_ID = /^[a-z-]+:[^:\s]+:[^:\s]+$/;

/** Debian's Chromium, headless (`--no-sandbox`: the tests run as root in CI). */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium', args: ['--no-sandbox'] });
}

/** A signed-in console page: its own context, so each person's session (sessionStorage) is their own. */
export interface ConsoleSession {
  context: BrowserContext;
  page: Page;
}

/**
 * Opens the console and signs in locally as `user` with the act ("Analyst") or read ("Viewer") role, through the
 * sign-in page only; resolves once the signed-in page shows the user and the Breaks table has rows.
 */
export async function signInLocally(
  browser: Browser,
  consoleUrl: string,
  user: string,
  role: 'act' | 'read',
  viewport = DESKTOP,
): Promise<ConsoleSession> {
  const context = await browser.newContext({ viewport, acceptDownloads: true });
  const page = await context.newPage();
  await page.goto(consoleUrl);
  await page.getByRole('heading', { name: 'Sign in', exact: true }).waitFor();
  await screenshot(page, 'sign-in');
  await page.getByRole('textbox', { name: 'User', exact: true }).fill(user);
  await page.getByRole('radio', { name: role === 'act' ? 'Analyst (act)' : 'Viewer (read)', exact: true }).check();
  await page.getByRole('button', { name: 'Sign in locally', exact: true }).click();
  await page.getByRole('button', { name: 'Sign out', exact: true }).waitFor();
  await page.getByText(user, { exact: true }).first().waitFor();
  await breaksTable(page).getByRole('link').first().waitFor();
  return { context, page };
}

/** The table captioned "Breaks". */
export function breaksTable(page: Page): Locator {
  return page.getByRole('table', { name: 'Breaks', exact: true });
}

/** The discrepancy ids of the Breaks table's current page, top to bottom (each row's first cell links to its break). */
export async function pageOfBreakIds(page: Page): Promise<string[]> {
  const links = await breaksTable(page).getByRole('link').allTextContents();
  return links.map((text) => text.trim()).filter((text) => DISCREPANCY_ID.test(text));
}

/** Runs `action` (a click that makes the page ask for a list) and waits until the answer to `path` is rendered. */
export async function afterAnswer(page: Page, path: string, action: () => Promise<void>): Promise<void> {
  const [answer] = await Promise.all([page.waitForResponse((response) => new URL(response.url()).pathname === path), action()]);
  await listed(page, answer);
}

/** Every id the Breaks table shows for its current filter, page after page ("Next page" until it is disabled or gone). */
export async function allBreakIds(page: Page): Promise<string[]> {
  // The page's own first load may still be on its way (skeleton rows): the table says so with aria-busy.
  await breaksTable(page).and(page.locator('[aria-busy="false"]')).waitFor();
  const ids = await pageOfBreakIds(page);
  const next = page.getByRole('button', { name: 'Next page', exact: true });
  for (let pages = 1; pages < 100 && (await next.count()) > 0 && (await next.isEnabled()); pages++) {
    await afterAnswer(page, '/discrepancies', () => next.click());
    ids.push(...(await pageOfBreakIds(page)));
  }
  return ids;
}

/** The Breaks filters that are choices (selects); the others (Asset, User) are textboxes. */
const CHOICES = new Set(['Status', 'Severity', 'Check']);

/**
 * A Breaks filter by its label. A control inside its label takes the label's text and its own value as its name
 * ("Status any"), so the name is matched from its start.
 */
export function filterField(page: Page, label: string): Locator {
  return page.getByRole(CHOICES.has(label) ? 'combobox' : 'textbox', { name: new RegExp(`^${label}\\b`) });
}

/**
 * Sets the Breaks filters (`''`: any) and applies them; resolves once the list the API answered for exactly these
 * filters is rendered (not an earlier list still on its way).
 */
export async function applyFilters(page: Page, filters: Record<string, string>): Promise<void> {
  for (const [label, value] of Object.entries(filters)) {
    const field = filterField(page, label);
    if (CHOICES.has(label)) await field.selectOption(value);
    else await field.fill(value);
  }
  const asked = Object.entries(filters).filter(([, value]) => value !== '');
  const forThese = (response: Response) => {
    const url = new URL(response.url());
    const query = [...url.searchParams.keys()].filter((name) => name !== 'limit' && name !== 'cursor');
    // A filter just applied shows its first page: an answer for a cursor is not it.
    return (
      url.pathname === '/discrepancies' &&
      !url.searchParams.has('cursor') &&
      query.length === asked.length &&
      asked.every(([label, value]) => url.searchParams.get(label.toLowerCase()) === value)
    );
  };
  const [answer] = await Promise.all([
    page.waitForResponse(forThese),
    page.getByRole('button', { name: 'Apply filters', exact: true }).click(),
  ]);
  await listed(page, answer);
}

/** Whether the page is wider than its viewport (a horizontal scrollbar on a phone). */
export async function overflowsHorizontally(page: Page): Promise<boolean> {
  // Page expressions are strings: the project's TypeScript has no DOM library (lib/ never runs in a browser).
  const overflows: unknown = await page.evaluate('document.documentElement.scrollWidth > document.documentElement.clientWidth');
  return overflows === true;
}

/**
 * Saves the page as `docs/screenshots/<name>.png` at the viewport's size when `UPDATE_SCREENSHOTS=1`: the committed
 * pictures are regenerated on purpose, never rewritten by every test run.
 */
export async function screenshot(page: Page, name: string): Promise<void> {
  if (process.env.UPDATE_SCREENSHOTS !== '1') return;
  mkdirSync(SCREENSHOTS, { recursive: true });
  await rendered(page);
  await page.screenshot({ path: `${SCREENSHOTS}/${name}.png`, animations: 'disabled' });
}

/**
 * Waits until a list's answer is read to its end (a response event comes with the headers) and on screen: a list
 * with items shows its first link (rows are cleared while a list loads).
 */
async function listed(page: Page, answer: Response): Promise<void> {
  await answer.finished();
  const body: unknown = await answer.json();
  const hasItems = typeof body === 'object' && body !== null && 'items' in body && Array.isArray(body.items) && body.items.length > 0;
  if (hasItems) await breaksTable(page).getByRole('link').first().waitFor();
  await rendered(page);
}

/** Two animation frames: what the last answer changed is on screen. */
function rendered(page: Page): Promise<unknown> {
  return page.evaluate('new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(() => resolve(true))))');
}
