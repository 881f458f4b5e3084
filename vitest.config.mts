import { defineConfig } from 'vitest/config';

// The deployed runtime is Node 22; on this Node 20 machine the AWS SDK's upgrade notice is noise.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    testTimeout: 180_000,
    hookTimeout: 60_000,
    pool: 'forks',
    coverage: {
      provider: 'v8',
      include: ['lib/**/*.ts'],
      reporter: ['text-summary', 'json-summary', 'json'],
      reportsDirectory: 'coverage',
      // The floor lib/ keeps: a little below the full run of 2026-12-07 (lines 97.28%, statements 95.57%,
      // functions 96.18%, branches 88.99%), to absorb the few branches whose coverage depends on timing.
      // Raise it as tests are added; never lower it to let a change in.
      thresholds: { lines: 96, statements: 94, functions: 95, branches: 87 },
    },
  },
});
