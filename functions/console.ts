import assets from 'virtual:console-assets';
import { consoleConfigFrom } from '../lib/console/console-settings';
import { serveConsole } from '../lib/console/console-site';

/**
 * `GET /console`, `GET /console/{proxy+}`, `GET /console/config.json`: the analysts' web console, built into
 * this bundle by esbuild.config.js (docs/console.md), and how it signs people in.
 */
export const handler = serveConsole(assets, consoleConfigFrom(process.env));
