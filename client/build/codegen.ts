import type { CodegenConfig } from '@graphql-codegen/cli';
import { generate } from '@graphql-codegen/cli';
import { fileURLToPath } from 'node:url';
import rootConfig from '../../codegen';

// The dashboard's entry of the root codegen.ts, alone: `tsx client/build/codegen.ts` regenerates
// client/src/lib/generated/ without touching other consumers' output, and the staleness test
// generates into memory with exactly the same configuration.

export const CLIENT_OUTPUT = 'client/src/lib/generated/';
export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

export function clientCodegenConfig(): CodegenConfig {
  const entry = (rootConfig.generates as Record<string, unknown>)[CLIENT_OUTPUT];
  if (!entry) throw new Error(`codegen.ts has no "${CLIENT_OUTPUT}" entry`);
  return { ...rootConfig, cwd: REPO_ROOT, silent: true, generates: { [CLIENT_OUTPUT]: entry } } as CodegenConfig;
}

/** The generated files as codegen would write them: path (relative to the repo) → content. */
export async function generateClientFiles(): Promise<Map<string, string>> {
  const files = (await generate(clientCodegenConfig(), false)) as { filename: string; content: string }[];
  return new Map(files.map((f) => [f.filename.replace(REPO_ROOT, ''), f.content]));
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await generate(clientCodegenConfig(), true);
  console.log(`wrote ${CLIENT_OUTPUT}`);
}
