/**
 * The console's browser files, built in memory from console/src/main.tsx by the `console-assets` esbuild plugin
 * (esbuild.config.js) when functions/console.ts is bundled: file name → content type and text, and for the
 * hashed files the same compressed (Brotli and gzip, base64).
 */
declare module 'virtual:console-assets' {
  const assets: Record<string, { contentType: string; body: string; encoded?: { br: string; gzip: string } }>;
  export default assets;
}
