import { createRequire } from 'node:module';
import { defineConfig } from 'vitest/config';

const require = createRequire(import.meta.url);

// The deployment test (npm run test:deploy) on its own: it needs HAProxy, Postgres and Redis,
// and brings up real processes, so it is not part of `npm test`.
export default defineConfig({
  resolve: {
    // One graphql copy, as in the main config (the restore check runs the app in process).
    alias: [{ find: /^graphql$/, replacement: require.resolve('graphql') }],
  },
  test: {
    include: ['deploy/**/*.test.ts'],
    testTimeout: 90_000,
    hookTimeout: 120_000,
    fileParallelism: false,
  },
});
