import type { CodegenConfig } from '@graphql-codegen/cli';

// Both consumers of the API are typed from the printed schema (`npm run schema:print` writes it):
// the SDK's ingest documents and the dashboard's operations. `npm run codegen` regenerates both;
// tests fail when the generated files are stale.
const config: CodegenConfig = {
  schema: 'schema/schema.graphql',
  generates: {
    // sdk: owned by the SDK package (sdk/src/operations.graphql → sdk/src/generated/graphql.ts).
    // Plain plugins, not the client preset: its output imports `@graphql-typed-document-node/core`
    // (types) and uses extensionless relative imports; the published SDK must need no package
    // at run time or for a consumer's type check. Document strings come from a small local plugin.
    'sdk/src/generated/graphql.ts': {
      documents: ['sdk/src/**/*.graphql'],
      plugins: ['typescript-operations', 'sdk/codegen/document-strings.cjs'],
      config: {
        enumsAsTypes: true,
        useTypeImports: true,
        // SpanTime (SpanInput's times) travels as the same ISO string as DateTime.
        scalars: { DateTime: 'string', SpanTime: 'string', JSON: 'unknown', ID: 'string', BigInt: 'number' },
      },
    },
    // client: the dashboard's operations, written beside the components that use them
    'client/src/lib/generated/': {
      documents: ['client/src/**/*.svelte', 'client/src/**/*.ts', '!client/src/lib/generated/**', '!client/src/**/*.test.ts'],
      preset: 'client',
      presetConfig: { fragmentMasking: false },
      // DateTime travels as an ISO string; the dashboard parses it where it needs a Date. BigInt
      // (counts and totals) is a JSON number up to 2^53 − 1, which no real total reaches; beyond
      // it the server sends a decimal string (schema/scalars.ts).
      config: { useTypeImports: true, enumsAsTypes: true, scalars: { DateTime: 'string', JSON: 'unknown', SpanTime: 'string', BigInt: 'number' } },
    },
  },
};

export default config;
