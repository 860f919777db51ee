import { defineConfig } from 'vitest/config';

// The deployment test (npm run test:deploy) on its own: it needs HAProxy, Postgres and Redis,
// and brings up real processes, so it is not part of `npm test`.
export default defineConfig({
  test: {
    include: ['deploy/**/*.test.ts'],
    testTimeout: 90_000,
    hookTimeout: 120_000,
    fileParallelism: false,
  },
});
