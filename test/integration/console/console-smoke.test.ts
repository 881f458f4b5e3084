import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildConsoleAssets } from '../../../esbuild.config';
import { consoleConfigFrom } from '../../../lib/console/console-settings';
import { serveConsole } from '../../../lib/console/console-site';

let server: Server;
let browser: Browser;
let base: string;

/** The console function over real HTTP, with the bundle esbuild.config.js builds; every API route answers 404. */
beforeAll(async () => {
  const { files } = await buildConsoleAssets();
  const handler = serveConsole(files, consoleConfigFrom({ CONSOLE_DEV_SIGN_IN: 'true' }));
  server = createServer(async (request, response) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    if (!url.pathname.startsWith('/console')) {
      response.writeHead(404, { 'content-type': 'application/json' }).end('{"message":"not found"}');
      return;
    }
    const proxy = url.pathname.replace(/^\/console\/?/, '');
    const headers = { 'accept-encoding': String(request.headers['accept-encoding'] ?? '') };
    const answer = await handler({ rawPath: url.pathname, pathParameters: proxy ? { proxy } : undefined, headers });
    if (typeof answer === 'string') throw new Error('a structured answer was expected');
    // As API Gateway does: a base64 answer goes out as its bytes.
    const body = answer.isBase64Encoded ? Buffer.from(answer.body ?? '', 'base64') : (answer.body ?? '');
    response.writeHead(answer.statusCode ?? 200, answer.headers as Record<string, string>).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await new Promise((resolve) => server?.close(resolve));
});

describe('the web console in a browser', () => {
  it('loads under its Content-Security-Policy and offers the local sign-in', async () => {
    const page = await browser.newPage();
    const problems: string[] = [];
    page.on('console', (message) => message.type() === 'error' && problems.push(message.text()));
    page.on('pageerror', (error) => problems.push(error.message));
    const encodings: string[] = [];
    page.on('response', (answer) => {
      if (/app\.[0-9a-f]+\.(js|css)$/.test(answer.url())) encodings.push(answer.headers()['content-encoding'] ?? 'none');
    });
    await page.goto(`${base}/console`);
    // Served at /console and /console/ alike: the page names its files from the path it was served at.
    await expect.poll(() => page.getByRole('heading', { name: 'Sign in' }).count()).toBe(1);
    expect(await page.getByRole('textbox', { name: 'User' }).count()).toBe(1);
    expect(await page.getByRole('radio', { name: 'Analyst (act)' }).isChecked()).toBe(true);
    expect(await page.getByRole('radio', { name: 'Viewer (read)' }).count()).toBe(1);
    expect(await page.getByRole('button', { name: 'Sign in locally' }).count()).toBe(1);
    expect(problems).toEqual([]);
    // The bundle came Brotli-compressed (Chromium accepts br), and the page ran from it.
    expect(encodings).toEqual(['br', 'br']);
    await page.close();
  });
});
