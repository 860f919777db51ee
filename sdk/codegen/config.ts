import type { CodegenConfig } from '@graphql-codegen/cli';

// The SDK's entry of the code generator, owned by the SDK: the root codegen.ts imports it (the
// root may import the SDK; the SDK imports nothing outside sdk/). Paths are relative to the
// repository root, where codegen runs.
//
// sdk/src/operations.graphql → sdk/src/generated/graphql.ts. Plain plugins, not the client
// preset: its output imports `@graphql-typed-document-node/core` (types) and uses extensionless
// relative imports; the published SDK must need no package at run time or for a consumer's type
// check. Document strings come from a small local plugin.

export const SDK_SCHEMA = 'schema/schema.graphql';
export const SDK_OUTPUT = 'sdk/src/generated/graphql.ts';

export const sdkGenerates = {
  [SDK_OUTPUT]: {
    documents: ['sdk/src/**/*.graphql'],
    plugins: ['typescript-operations', 'sdk/codegen/document-strings.cjs'],
    config: {
      enumsAsTypes: true,
      useTypeImports: true,
      // SpanTime (SpanInput's times) travels as the same ISO string as DateTime.
      scalars: { DateTime: 'string', SpanTime: 'string', JSON: 'unknown', ID: 'string', BigInt: 'number' },
    },
  },
} satisfies CodegenConfig['generates'];
