import { createRequire } from 'node:module';
import { defineConfig } from 'vitest/config';

const require = createRequire(import.meta.url);

// One suite, two databases: embedded PGlite by default; the real Postgres server when
// TEST_DATABASE_URL is set (a fresh database is created for the run by the global setup).
export default defineConfig({
  resolve: {
    // graphql 16 has no "exports" map: Node resolves it to the CommonJS build, Vite to the ESM
    // one. Two copies break instanceof checks (errors, scalars); use Node's copy everywhere.
    alias: [{ find: /^graphql$/, replacement: require.resolve('graphql') }],
  },
  test: {
    include: ['server/**/*.test.ts', 'schema/**/*.test.ts', 'plugins/**/*.test.ts', 'migrations/**/*.test.ts', 'sdk/src/**/*.test.ts', 'sdk/test/**/*.test.ts', 'client/src/**/*.test.ts', 'bench/**/*.test.ts', 'scripts/**/*.test.ts'],
    globalSetup: ['server/testing/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Each file opens its own embedded database; two cores do not profit from more workers.
    maxWorkers: 2,
    // Files share a worker's module graph instead of importing the whole app again each (the
    // import phase of the embedded pass fell from 292 s to about a fifth). No file mocks
    // modules; state a file leaves behind belongs to its own apps, which it closes.
    isolate: false,
  },
});
