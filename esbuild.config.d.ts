import type { BuildOptions } from 'esbuild';

/** The esbuild options of every function bundle (see esbuild.config.js), for code that builds bundles itself. */
export declare const esbuildOptions: BuildOptions & { external: string[] };
