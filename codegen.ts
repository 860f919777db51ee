import type { CodegenConfig } from '@graphql-codegen/cli';
import { sdkGenerates } from './sdk/codegen/config';

// Both consumers of the API are typed from the printed schema (`npm run schema:print` writes it):
// the SDK's ingest documents and the dashboard's operations. `npm run codegen` regenerates both;
// tests fail when the generated files are stale.
const config: CodegenConfig = {
  schema: 'schema/schema.graphql', // the SDK's entry reads the same file (SDK_SCHEMA)
  generates: {
    // sdk: owned by the SDK package (sdk/codegen/config.ts).
    ...sdkGenerates,
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
