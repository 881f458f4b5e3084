import assets from 'virtual:console-assets';
import { consoleConfigFrom } from '../lib/console/console-settings';
import { serveConsole } from '../lib/console/console-site';
import { issuerOrigins } from '../lib/console/issuer-origins';
import { lambdaLog } from '../lib/handlers/lambda-logger';

const config = consoleConfigFrom(process.env);

/**
 * `GET /console`, `GET /console/{proxy+}`, `GET /console/config.json`: the analysts' web console, built into
 * this bundle by esbuild.config.js (docs/console.md), and how it signs people in; its Content-Security-Policy
 * allows the issuer's token endpoint, read from the issuer's discovery document.
 */
export const handler = serveConsole(assets, config, issuerOrigins(config.oidc?.issuer, lambdaLog));
