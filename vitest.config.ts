import { defineConfig } from 'vitest/config';

// Three tiers, one folder each: unit tests do no I/O; integration tests talk to the sandbox,
// local git and MCP servers over stdio; e2e tests run the whole flow, with headless Chromium.
export default defineConfig({
  test: {
    // Most integration files spend their time waiting (lock TTLs, slow invalidations, child processes
    // starting), not computing: vitest's default of one worker per core minus one ran them one at a time
    // on a 2-core CI machine, which took npm test past its 15-minute budget. (Projects that share a run
    // order must share this number; e2e files still run one at a time, after the others.)
    maxWorkers: 3,
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.{ts,tsx}', 'sophia-dashboard/src/**/*.test.{ts,tsx}'],
          environment: 'node',
          testTimeout: 20_000,
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          globalSetup: ['test/support/global-setup.ts'],
          environment: 'node',
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          globalSetup: ['test/support/global-setup.ts'],
          environment: 'node',
          testTimeout: 300_000,
          hookTimeout: 300_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
