import type { BuildOptions } from 'esbuild';

/** The esbuild options of every function bundle (see esbuild.config.js), for code that builds bundles itself. */
export declare const esbuildOptions: BuildOptions & { external: string[] };

/** The web console's browser files built in memory (console/src/main.tsx, console/index.html), by file name. */
export declare function buildConsoleAssets(): Promise<{
  files: Record<string, { contentType: string; body: string }>;
  watchFiles: string[];
}>;
