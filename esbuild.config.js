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
