import { generate } from '@graphql-codegen/cli';
import type { CodegenConfig } from '@graphql-codegen/cli';
import config from '../../codegen.ts';

// Runs only the SDK's entry of the top-level codegen.ts: the one config stays the source of
// truth, and the SDK can be regenerated (and its staleness checked) without the dashboard's
// documents. Run from the repository root (plugin paths are relative to it).

export const SDK_OUTPUT = 'sdk/src/generated/graphql.ts';

export function sdkCodegenConfig(): CodegenConfig {
  const entry = (config.generates as Record<string, unknown>)[SDK_OUTPUT];
  if (!entry) throw new Error(`codegen.ts has no "${SDK_OUTPUT}" entry`);
  return { schema: config.schema, generates: { [SDK_OUTPUT]: entry } } as CodegenConfig;
}

/** The files the SDK entry would write, without writing them. */
export async function renderSdkCodegen(): Promise<{ filename: string; content: string }[]> {
  return generate({ ...sdkCodegenConfig(), silent: true }, false);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await generate(sdkCodegenConfig(), true);
}
