import { defineConfig } from 'vitest/config';

// One suite, two databases: embedded PGlite by default; the real Postgres server when
// TEST_DATABASE_URL is set (a fresh database is created for the run by the global setup).
export default defineConfig({
  test: {
    include: ['server/**/*.test.ts', 'schema/**/*.test.ts', 'plugins/**/*.test.ts', 'migrations/**/*.test.ts'],
    globalSetup: ['server/testing/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Each file opens its own embedded database; two cores do not profit from more workers.
    maxWorkers: 2,
  },
});
