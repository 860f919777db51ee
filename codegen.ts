import type { CodegenConfig } from '@graphql-codegen/cli';

// Both consumers of the API are typed from the printed schema (`npm run schema:print` writes it):
// the SDK's ingest documents and the dashboard's operations. `npm run codegen` regenerates both;
// tests fail when the generated files are stale.
const config: CodegenConfig = {
  schema: 'schema/schema.graphql',
  generates: {
    // sdk: owned by the SDK package (sdk/src/operations.graphql → sdk/src/generated/)
    'sdk/src/generated/': {
      documents: ['sdk/src/**/*.graphql'],
      preset: 'client',
      presetConfig: { fragmentMasking: false },
      config: { documentMode: 'string', useTypeImports: true, enumsAsTypes: true },
    },
    // client: the dashboard's operations, written beside the components that use them
    'client/src/lib/generated/': {
      documents: ['client/src/**/*.svelte', 'client/src/**/*.ts', '!client/src/lib/generated/**'],
      preset: 'client',
      presetConfig: { fragmentMasking: false },
      config: { useTypeImports: true, enumsAsTypes: true },
    },
  },
};

export default config;
