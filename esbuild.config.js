const { createHash } = require('node:crypto');
const { readFileSync } = require('node:fs');
const path = require('node:path');
const { brotliCompressSync, constants: zlib, gzipSync } = require('node:zlib');

/** The module functions/console.ts imports the console's browser files from (lib/console/console-assets.d.ts). */
const CONSOLE_ASSETS = 'virtual:console-assets';
const CONTENT_TYPES = { '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8' };

/**
 * Builds the web console (console/src/main.tsx: Preact, uPlot, the API's zod schemas) for the browser, in memory, and
 * returns its files by name: `index.html` (from console/index.html) naming `{{base}}app.<hash>.js` and `{{base}}app.<hash>.css`
 * (the console function writes its path for `{{base}}`).
 * Hashed names let the console function cache them for a year; a new build has new names.
 */
async function buildConsoleAssets() {
  const { build } = require('esbuild');
  const result = await build({
    absWorkingDir: __dirname,
    entryPoints: ['console/src/main.tsx'],
    tsconfig: 'console/tsconfig.json',
    bundle: true,
    write: false,
    outdir: 'console-out',
    platform: 'browser',
    format: 'esm',
    target: 'es2022',
    minify: true,
    legalComments: 'none',
    logLevel: 'silent',
    metafile: true,
  });
  const files = {};
  const names = {};
  for (const output of result.outputFiles) {
    const extension = path.extname(output.path);
    const name = `app.${createHash('sha256').update(output.contents).digest('hex').slice(0, 12)}${extension}`;
    names[extension] = name;
    files[name] = {
      contentType: CONTENT_TYPES[extension] ?? 'application/octet-stream',
      body: output.text,
      encoded: encodings(output.contents),
    };
  }
  const page = readFileSync(path.join(__dirname, 'console/index.html'), 'utf8')
    .replace('{{js}}', `{{base}}${names['.js'] ?? ''}`)
    .replace('{{css}}', `{{base}}${names['.css'] ?? ''}`);
  files['index.html'] = { contentType: 'text/html; charset=utf-8', body: page };
  return { files, watchFiles: Object.keys(result.metafile?.inputs ?? {}).map((file) => path.join(__dirname, file)) };
}

/**
 * A bundle file compressed once at build time, base64 (how a Lambda answers bytes): API Gateway's HTTP API does
 * not compress, and the console function answers the encoding the browser accepts.
 */
function encodings(contents) {
  const br = brotliCompressSync(contents, { params: { [zlib.BROTLI_PARAM_QUALITY]: 11, [zlib.BROTLI_PARAM_SIZE_HINT]: contents.length } });
  return { br: br.toString('base64'), gzip: gzipSync(contents, { level: 9 }).toString('base64') };
}

/**
 * Makes `import assets from 'virtual:console-assets'` the console's built files: the console function's bundle
 * carries the console, so `npm start`, `sls package` and tests need no separate build step.
 */
const consoleAssetsPlugin = {
  name: 'console-assets',
  setup(build) {
    build.onResolve({ filter: /^virtual:console-assets$/ }, () => ({ path: CONSOLE_ASSETS, namespace: 'console-assets' }));
    build.onLoad({ filter: /.*/, namespace: 'console-assets' }, async () => {
      const { files, watchFiles } = await buildConsoleAssets();
      return { contents: `export default ${JSON.stringify(files)};`, loader: 'js', watchFiles };
    });
  },
};

/**
 * The esbuild options of every function bundle, kept in one place: serverless-esbuild reads them
 * through `custom.esbuild.config` in serverless.yml (for `sls package`, `sls deploy`,
 * `sls invoke local` and `sls offline`), and `bench/cold-init.ts` builds with the same options to
 * measure what is deployed.
 */
const esbuildOptions = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  // The deployed runtime is Node 22, but the same bundles run under `sls offline` and `sls invoke local` on Node 20.
  target: 'node20',
  minify: true,
  // A `.map` file beside each bundle: with `NODE_OPTIONS=--enable-source-maps` (serverless.yml) stack traces name the
  // TypeScript file and line. Without the sources' text the map is a third of the size and Node reads and parses it
  // at every cold start; the positions are all a stack trace needs.
  sourcemap: true,
  sourcesContent: false,
  // AWS SDK v3 is provided by the nodejs22.x Lambda runtime (on its NODE_PATH); locally it resolves from node_modules.
  external: ['@aws-sdk/*', '@smithy/*'],
  // The console function's browser files (functions/console.ts); a bundle that does not import them is unchanged.
  plugins: [consoleAssetsPlugin],
};

/**
 * The options serverless-esbuild takes (it calls this with the serverless instance). Its `exclude`
 * keeps the SDK out of both the bundle and the package: listed only in `external`, the plugin
 * would `npm install` the SDK into the zip instead.
 */
function serverlessEsbuildOptions() {
  return { ...esbuildOptions, exclude: esbuildOptions.external };
}

module.exports = serverlessEsbuildOptions;
module.exports.esbuildOptions = esbuildOptions;
module.exports.buildConsoleAssets = buildConsoleAssets;
