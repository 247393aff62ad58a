import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['packages/*/src/**/*.test.ts', 'tools/**/*.test.ts'],
    globalSetup: ['packages/server/src/test-support/global-setup.ts'],
    // Child processes isolate native modules (better-sqlite3) and process-level state.
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 60_000,
    reporters: ['default', ['json', { outputFile: '.test-results/results.json' }]],
  },
});
