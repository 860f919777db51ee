import { generate } from '@graphql-codegen/cli';
import type { CodegenConfig } from '@graphql-codegen/cli';
import { SDK_SCHEMA, sdkGenerates } from './config.ts';

// Runs only the SDK's entry (sdk/codegen/config.ts, which the top-level codegen.ts includes), so
// the SDK can be regenerated (and its staleness checked) without the dashboard's documents. Run
// from the repository root (plugin paths are relative to it).

export { SDK_OUTPUT } from './config.ts';

export function sdkCodegenConfig(): CodegenConfig {
  return { schema: SDK_SCHEMA, generates: sdkGenerates };
}

/** The files the SDK entry would write, without writing them. */
export async function renderSdkCodegen(): Promise<{ filename: string; content: string }[]> {
  return generate({ ...sdkCodegenConfig(), silent: true }, false);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await generate(sdkCodegenConfig(), true);
}
