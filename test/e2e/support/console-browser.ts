import { mkdirSync } from 'node:fs';
import { type Browser, type BrowserContext, chromium, type Locator, type Page } from 'playwright-core';

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
  await Promise.all([page.waitForResponse((response) => new URL(response.url()).pathname === path), action()]);
  await rendered(page);
}

/** Every id the Breaks table shows for its current filter, page after page ("Next page" until it is disabled or gone). */
export async function allBreakIds(page: Page): Promise<string[]> {
  const ids = await pageOfBreakIds(page);
  const next = page.getByRole('button', { name: 'Next page', exact: true });
  for (let pages = 1; pages < 100 && (await next.count()) > 0 && (await next.isEnabled()); pages++) {
    await afterAnswer(page, '/discrepancies', () => next.click());
    ids.push(...(await pageOfBreakIds(page)));
  }
  return ids;
}

/** Sets the Breaks filters (a select or a textbox per label) and applies them; resolves once the list is rendered. */
export async function applyFilters(page: Page, filters: Record<string, string>): Promise<void> {
  for (const [label, value] of Object.entries(filters)) {
    const field = page.getByLabel(label, { exact: true });
    if ((await field.evaluate((element) => element.tagName)) === 'SELECT') await field.selectOption(value);
    else await field.fill(value);
  }
  await afterAnswer(page, '/discrepancies', () => page.getByRole('button', { name: 'Apply filters', exact: true }).click());
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

/** Two animation frames: what the last answer changed is on screen. */
function rendered(page: Page): Promise<unknown> {
  return page.evaluate('new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(() => resolve(true))))');
}
